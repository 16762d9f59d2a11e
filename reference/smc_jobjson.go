package reference

import "strconv"

// appendJSON encodes the job as DescribeReplicationJobs shows it, byte for byte what
// encoding/json makes of j.view(): fields in jobView's declaration order, empty lists as
// [] (never null). It reads the job in place, so it must run under the store lock.
func (v *jobView) appendJSON(b []byte) ([]byte, error) {
	b = appendJSONString(append(b, `{"JobId":`...), v.JobId)
	b = appendStrField(b, "SourceId", v.SourceId)
	b = appendStrField(b, "Name", v.Name)
	b = appendStrField(b, "Description", v.Description)
	b = appendStrField(b, "RegionId", v.RegionId)
	b = appendIntField(b, "JobType", int64(v.JobType))
	b = appendStrField(b, "TargetType", v.TargetType)
	b = appendStrField(b, "Status", v.Status)
	b = appendStrField(b, "BusinessStatus", v.BusinessStatus)
	b = appendStrField(b, "ErrorCode", v.ErrorCode)
	b = appendStrField(b, "StatusInfo", v.StatusInfo)
	b, err := appendJSONFloat(appendKey(b, "Progress"), v.Progress)
	if err != nil {
		return b, err
	}
	b = appendStrField(b, "CreationTime", v.CreationTime)
	b = appendStrField(b, "StartTime", v.StartTime)
	b = appendStrField(b, "EndTime", v.EndTime)
	b = appendStrField(b, "ScheduledStartTime", v.ScheduledStartTime)
	b = appendStrField(b, "ValidTime", v.ValidTime)
	b = appendStrField(b, "ImageName", v.ImageName)
	b = appendStrField(b, "ImageId", v.ImageId)
	b = appendStrField(b, "InstanceId", v.InstanceId)
	b = appendStrField(b, "TransitionInstanceId", v.TransitionInstanceId)
	b = appendStrField(b, "InstanceType", v.InstanceType)
	b = appendStrField(b, "InstanceRamRole", v.InstanceRamRole)
	b = appendStrField(b, "LaunchTemplateId", v.LaunchTemplateId)
	b = appendStrField(b, "LaunchTemplateVersion", v.LaunchTemplateVersion)
	b = appendIntField(b, "SystemDiskSize", int64(v.SystemDiskSize))
	b = appendIntField(b, "NetMode", int64(v.NetMode))
	b = appendStrField(b, "VpcId", v.VpcId)
	b = appendStrField(b, "VSwitchId", v.VSwitchId)
	b = appendStrField(b, "ReplicationParameters", v.ReplicationParameters)
	b = appendBoolField(b, "RunOnce", v.RunOnce)
	b = appendIntField(b, "Frequency", int64(v.Frequency))
	b = appendIntField(b, "MaxNumberOfImageToKeep", int64(v.MaxNumberOfImageToKeep))
	b = appendStrField(b, "ContainerNamespace", v.ContainerNamespace)
	b = appendStrField(b, "ContainerRepository", v.ContainerRepository)
	b = appendStrField(b, "ContainerTag", v.ContainerTag)
	b = appendStrField(b, "LicenseType", v.LicenseType)
	b = appendStrField(b, "ResourceGroupId", v.ResourceGroupId)
	b = appendStrField(b, "WorkgroupId", v.WorkgroupId)
	return v.appendJSONLists(b), nil
}

// appendJSONLists writes the wrapped lists that close a job, and the closing brace.
func (v *jobView) appendJSONLists(b []byte) []byte {
	b = append(appendKey(b, "SystemDiskParts"), `{"SystemDiskPart":`...)
	b = append(appendJobParts(b, v.SystemDiskParts.SystemDiskPart), '}')
	b = append(appendKey(b, "DataDisks"), `{"DataDisk":[`...)
	for i, d := range v.DataDisks.DataDisk {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(append(b, `{"Index":`...), int64(d.Index), 10)
		b = append(appendIntField(b, "Size", int64(d.Size)), `,"Parts":{"Part":`...)
		b = append(appendJobParts(b, d.Parts.Part), '}', '}')
	}
	b = append(appendKey(append(b, ']', '}'), "ReplicationJobRuns"), `{"ReplicationJobRun":[`...)
	for i, r := range v.ReplicationJobRuns.ReplicationJobRun {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `{"ImageId":`...), r.ImageId)
		b = appendStrField(b, "Type", r.Type)
		b = appendStrField(b, "StartTime", r.StartTime)
		b = append(appendStrField(b, "EndTime", r.EndTime), '}')
	}
	b = append(appendKey(append(b, ']', '}'), "Tags"), `{"Tag":`...)
	return append(appendSMCTags(b, v.Tags.Tag), '}', '}')
}

func appendJobParts(b []byte, parts []jobPart) []byte {
	b = append(b, '[')
	for i, p := range parts {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `{"Device":`...), p.Device)
		b = appendIntField(b, "SizeBytes", p.SizeBytes)
		b = append(appendBoolField(b, "Block", p.Block), '}')
	}
	return append(b, ']')
}

// jobPageJSON is DescribeReplicationJobs' result: the members in encoding/json's map
// order (sorted keys), as the reflective encoding of the old map result had them.
func jobPageJSON(page []*replicationJob, total, number, size int) (encodedObject, error) {
	b := newObjectBuffer(1024*len(page) + 128)
	b = strconv.AppendInt(append(b, `{"PageNumber":`...), int64(number), 10)
	b = appendIntField(b, "PageSize", int64(size))
	b = append(appendKey(b, "ReplicationJobs"), `{"ReplicationJob":[`...)
	for i, j := range page {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = j.appendJSON(b); err != nil {
			return nil, err
		}
	}
	b = appendIntField(append(b, ']', '}'), "TotalCount", int64(total))
	return append(b, '}'), nil
}
