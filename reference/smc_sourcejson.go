package reference

import "strconv"

// appendJSON encodes the source as DescribeSourceServers shows it, byte for byte what
// encoding/json makes of src.view(): fields in sourceView's declaration order, lists as []
// even when nil. It reads the source in place, so it must run under the account lock.
func (v *sourceView) appendJSON(b []byte) []byte {
	b = appendJSONString(append(b, `{"SourceId":`...), v.SourceId)
	b = appendStrField(b, "JobId", v.JobId)
	b = appendStrField(b, "Name", v.Name)
	b = appendStrField(b, "Description", v.Description)
	b = appendStrField(b, "State", v.State)
	b = appendStrField(b, "ErrorCode", v.ErrorCode)
	b = appendStrField(b, "StatusInfo", v.StatusInfo)
	b = appendStrField(b, "AgentVersion", v.AgentVersion)
	b = appendStrField(b, "Platform", v.Platform)
	b = appendStrField(b, "Architecture", v.Architecture)
	b = appendIntField(b, "KernelLevel", int64(v.KernelLevel))
	b = appendStrField(b, "ReplicationDriver", v.ReplicationDriver)
	b = appendStrField(b, "SystemInfo", v.SystemInfo)
	b = appendIntField(b, "HeartbeatRate", int64(v.HeartbeatRate))
	b = appendStrField(b, "CreationTime", v.CreationTime)
	b = appendIntField(b, "SystemDiskSize", int64(v.SystemDiskSize))
	b = appendStrField(b, "ResourceGroupId", v.ResourceGroupId)
	b = appendStrField(b, "WorkgroupId", v.WorkgroupId)
	b = append(appendKey(b, "SystemDiskParts"), `{"SystemDiskPart":`...)
	b = append(appendSourceParts(b, v.SystemDiskParts.SystemDiskPart), '}')
	b = append(appendKey(b, "DataDisks"), `{"DataDisk":[`...)
	for i, d := range v.DataDisks.DataDisk {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(append(b, `{"Index":`...), int64(d.Index), 10)
		b = appendIntField(b, "Size", int64(d.Size))
		b = append(appendStrField(b, "Path", d.Path), `,"Parts":{"Part":`...)
		b = append(appendSourceParts(b, d.Parts.Part), '}', '}')
	}
	b = append(appendKey(append(b, ']', '}'), "Tags"), `{"Tag":`...)
	return append(appendSMCTags(b, v.Tags.Tag), '}', '}')
}

func appendSourceParts(b []byte, parts []sourcePart) []byte {
	b = append(b, '[')
	for i, p := range parts {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `{"Path":`...), p.Path)
		b = appendStrField(b, "Device", p.Device)
		b = appendIntField(b, "SizeBytes", p.SizeBytes)
		b = appendBoolField(b, "Need", p.Need)
		b = append(appendBoolField(b, "CanBlock", p.CanBlock), '}')
	}
	return append(b, ']')
}

// appendSMCTags writes a Tag list ([{"Key":..,"Value":..}]), [] when empty.
func appendSMCTags(b []byte, tags []smcTag) []byte {
	b = append(b, '[')
	for i, t := range tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `{"Key":`...), t.Key)
		b = append(appendStrField(b, "Value", t.Value), '}')
	}
	return append(b, ']')
}

// sourcePageJSON is DescribeSourceServers' result, members in the sorted order encoding/json
// gave the map the handler used to return.
func sourcePageJSON(page []*sourceServer, total, number, size int) encodedObject {
	b := newObjectBuffer(1024*len(page) + 128)
	b = strconv.AppendInt(append(b, `{"PageNumber":`...), int64(number), 10)
	b = appendIntField(b, "PageSize", int64(size))
	b = append(appendKey(b, "SourceServers"), `{"SourceServer":[`...)
	for i, src := range page {
		if i > 0 {
			b = append(b, ',')
		}
		b = src.sourceView.appendJSON(b)
	}
	b = appendIntField(append(b, ']', '}'), "TotalCount", int64(total))
	return append(b, '}')
}
