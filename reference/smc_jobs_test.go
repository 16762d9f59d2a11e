package reference

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCreateReplicationJobRules(t *testing.T) {
	now := DefaultStart
	cases := []struct {
		name  string
		setup func(t *testing.T, srv *Server)
		extra p
		code  string
		why   string
	}{
		{"ok", nil, nil, "", "an image job for an available source"},
		{"source unavailable", nil, p{"SourceId": offlineSrc}, "SourceServerState.Invalid", "the contract's precondition on the source"},
		{"unknown source", nil, p{"SourceId": "s-nosuchsource000001"}, "InvalidSourceId.NotFound", "the source must exist"},
		{"foreign source", nil, p{"SourceId": otherSrc}, "InvalidSourceId.NotFound", "another account's source looks unknown"},
		{"unfinished job", func(t *testing.T, srv *Server) { createJob(t, srv, linuxSrc, p{"ImageName": "first"}) },
			nil, "SourceServer.UnfinishedReplicationJob", "one unfinished job per source"},
		{"duplicate name", func(t *testing.T, srv *Server) { createJob(t, srv, linuxSrc2, p{"Name": "mig01"}) },
			p{"Name": "mig01"}, "ReplicationJobName.Duplicate", "job names are unique in the account"},
		{"duplicate image name", func(t *testing.T, srv *Server) { createJob(t, srv, linuxSrc2, p{"ImageName": "golden"}) },
			p{"ImageName": "golden"}, "ImageName.UsedByReplicationJob", "an image name is used once per region"},
		{"data disk not on source", nil, p{"DataDisk.1.Index": "3", "DataDisk.1.Size": "100"}, "ReplicationJobDataDiskIndex.Invalid", "the source has disks 1 and 2"},
		{"repeated data disk", nil, p{"DataDisk.1.Index": "1", "DataDisk.1.Size": "100", "DataDisk.2.Index": "1", "DataDisk.2.Size": "100"},
			"ReplicationJobDataDiskIndex.Invalid", "Create documents no DuplicateIndex code, so a repeated index is an invalid one"},
		{"data disks ok", nil, p{"DataDisk.1.Index": "1", "DataDisk.1.Size": "100", "DataDisk.1.Part.1.Device": "1_0", "DataDisk.1.Part.1.SizeBytes": "1024", "DataDisk.1.Part.1.Block": "true"}, "", "a disk the source has"},
		{"vswitch in vpc", nil, p{"NetMode": "2", "VSwitchId": "vsw-bp1smcct0000000000002", "VpcId": "vpc-bp1smcct0000000000001"}, "", "the fixture vSwitch belongs to that VPC"},
		{"vswitch other vpc", nil, p{"NetMode": "2", "VSwitchId": "vsw-bp1smcct0000000000003", "VpcId": "vpc-bp1smcct0000000000001"}, "VSwitchIdVpcId.Mismatch", "the vSwitch is in another VPC"},
		{"vswitch other region", nil, p{"NetMode": "2", "VSwitchId": "vsw-uf6smcct0000000000001"}, "VSwitchIdVpcId.Mismatch", "the vSwitch is not in the job's region"},
		{"schedule past", nil, p{"ScheduledStartTime": fmtTime(now.Add(-time.Hour))}, "InvalidScheduledStartTime", "a start in the past"},
		{"schedule too far", nil, p{"ScheduledStartTime": fmtTime(now.Add(31 * 24 * time.Hour))}, "InvalidScheduledStartTime", "more than 30 days ahead"},
		{"valid time too soon", nil, p{"ValidTime": fmtTime(now.Add(6 * 24 * time.Hour))}, "InvalidValidTime", "less than 7 days"},
		{"valid time too late", nil, p{"ValidTime": fmtTime(now.Add(91 * 24 * time.Hour))}, "InvalidValidTime", "more than 90 days"},
		{"valid time ok", nil, p{"ValidTime": fmtTime(now.Add(90 * 24 * time.Hour))}, "", "90 days is the last allowed day"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSMCServer(t)
			if tc.setup != nil {
				tc.setup(t, srv)
			}
			params := p{"RegionId": "cn-hangzhou", "SourceId": linuxSrc, "TargetType": "Image", "ImageName": "img-a", "SystemDiskSize": "40"}
			for k, v := range tc.extra {
				params[k] = v
			}
			body, err := call(t, srv, defaultAcct, "CreateReplicationJob", params)
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("%s: %v", tc.why, err)
			case tc.code != "" && (err == nil || err.Code != tc.code):
				t.Fatalf("%s: got %v (%v), want %s", tc.why, err, body, tc.code)
			}
		})
	}
}

func TestCreateReplicationJobQuota(t *testing.T) {
	srv := newSMCServer(t)
	unjournaled(srv)
	s := srv.store.accounts[defaultAcct].SMC
	for i := range maxJobsPerAccount {
		s.addJob(&replicationJob{jobView: jobView{JobId: fmt.Sprintf("j-filler%012d", i), Status: "Finished"}.filled()})
	}
	fails(t, srv, defaultAcct, "CreateReplicationJob", p{"RegionId": "cn-hangzhou", "SourceId": linuxSrc}, "QuotaExceeded.ReplicationJob")
}

func TestCreateReplicationJobStoresSettingsAndTags(t *testing.T) {
	srv := newSMCServer(t)
	id := createJob(t, srv, linuxSrc, p{"Name": "web01", "Tag.1.Key": "env", "Tag.1.Value": "prod",
		"NetMode": "2", "VSwitchId": "vsw-bp1smcct0000000000001", "ClientToken": "tok-1"})
	j := jobOf(t, srv, defaultAcct, id)
	if j["VpcId"] != "vpc-bp1smcct0000000000001" {
		t.Errorf("VpcId is derived from the vSwitch, got %v", j["VpcId"])
	}
	if tags := wrapped(j, "Tags", "Tag"); len(tags) != 1 || tags[0]["Key"] != "env" || tags[0]["Value"] != "prod" {
		t.Errorf("creation tags are kept: %v", tags)
	}
	if j["ValidTime"] != fmtTime(DefaultStart.Add(30*24*time.Hour)) {
		t.Errorf("ValidTime defaults to creation + 30 days, got %v", j["ValidTime"])
	}
	again := must(t, srv, defaultAcct, "CreateReplicationJob", p{"RegionId": "cn-hangzhou", "SourceId": linuxSrc, "TargetType": "Image",
		"ImageName": "img-0001", "SystemDiskSize": "40", "Name": "web01", "Tag.1.Key": "env", "Tag.1.Value": "prod",
		"NetMode": "2", "VSwitchId": "vsw-bp1smcct0000000000001", "ClientToken": "tok-1"})
	if again["JobId"] != id {
		t.Errorf("a ClientToken retry answers the same JobId: %v vs %s", again["JobId"], id)
	}
}

func TestJobStateRules(t *testing.T) {
	cases := []struct {
		name   string
		reach  func(t *testing.T, srv *Server, id string)
		action string
		extra  p
		code   string
		why    string
	}{
		{"start ready", nil, "StartReplicationJob", nil, "", "Ready starts"},
		{"stop ready", nil, "StopReplicationJob", nil, "ReplicationJob.InvalidStatus", "only a running job stops"},
		{"stop preparing", started(0), "StopReplicationJob", nil, "ReplicationJob.InvalidBusinessStatus", "only while Syncing"},
		{"stop syncing", started(5 * time.Minute), "StopReplicationJob", nil, "", "Syncing stops"},
		{"start running", started(0), "StartReplicationJob", nil, "ReplicationJob.InvalidStatus", "already running"},
		{"restart stopped", stopped, "StartReplicationJob", nil, "", "Stopped starts again"},
		{"restart failed", forced("InError"), "StartReplicationJob", nil, "", "InError starts again"},
		{"start source offline", offline, "StartReplicationJob", nil, "SourceServerState.Invalid", "the agent is gone"},
		{"delete running", started(0), "DeleteReplicationJob", nil, "ReplicationJob.InvalidStatus", "the contract refuses Running"},
		{"delete ready", nil, "DeleteReplicationJob", nil, "", "Ready deletes"},
		{"delete deleting", forced("Deleting"), "DeleteReplicationJob", nil, "ReplicationJob.InvalidStatus", "already going"},
		{"cutover ready", nil, "CutOverReplicationJob", nil, "ReplicationJob.InvalidStatus", "only Waiting cuts over"},
		{"modify name running", started(0), "ModifyReplicationJobAttribute", p{"Name": "renamed", "Description": "later"}, "", "name and description any time"},
		{"modify frequency running", started(0), "ModifyReplicationJobAttribute", p{"Frequency": "3"}, "ReplicationJob.InvalidStatus", "schedule only in Ready or Waiting"},
		{"modify frequency waiting", forced("Waiting"), "ModifyReplicationJobAttribute", p{"Frequency": "3"}, "", "schedule while Waiting"},
		{"modify image stopped", stopped, "ModifyReplicationJobAttribute", p{"ImageName": "other"}, "ReplicationJob.InvalidStatus", "others only before the first run"},
		{"modify netmode running", started(0), "ModifyReplicationJobAttribute", p{"NetMode": "0"}, "ReplicationJob.InvalidStatus", "the contract's precondition"},
		{"modify valid time stopped", stopped, "ModifyReplicationJobAttribute", p{"ValidTime": fmtTime(DefaultStart.Add(40 * 24 * time.Hour))}, "", "ValidTime until the job ends"},
		{"modify disks ready", nil, "ModifyReplicationJobAttribute", p{"DataDisk.1.Index": "2", "DataDisk.1.Size": "200", "DataDisk.2.Index": "2", "DataDisk.2.Size": "200"}, "DataDisk.DuplicateIndex", "Modify documents DuplicateIndex"},
		{"modify bad disk", nil, "ModifyReplicationJobAttribute", p{"DataDisk.1.Index": "9", "DataDisk.1.Size": "200"}, "ReplicationJobDataDiskIndex.Invalid", "no disk 9 on the source"},
		{"modify name taken", named, "ModifyReplicationJobAttribute", p{"Name": "taken"}, "ReplicationJobName.Duplicate", "another job has it"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSMCServer(t)
			id := createJob(t, srv, linuxSrc, nil)
			if tc.reach != nil {
				tc.reach(t, srv, id)
			}
			params := p{"JobId": id}
			for k, v := range tc.extra {
				params[k] = v
			}
			_, err := call(t, srv, defaultAcct, tc.action, params)
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("%s: %v", tc.why, err)
			case tc.code != "" && (err == nil || err.Code != tc.code):
				t.Fatalf("%s: got %v, want %s", tc.why, err, tc.code)
			}
		})
	}
}

func started(after time.Duration) func(*testing.T, *Server, string) {
	return func(t *testing.T, srv *Server, id string) {
		must(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": id})
		advance(srv, after)
	}
}

func stopped(t *testing.T, srv *Server, id string) {
	started(5*time.Minute)(t, srv, id)
	must(t, srv, defaultAcct, "StopReplicationJob", p{"JobId": id})
}

func forced(status string) func(*testing.T, *Server, string) {
	return func(t *testing.T, srv *Server, id string) {
		if _, _, err := srv.store.force(defaultAcct, id, map[string]string{"Status": status}, srv.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

func offline(t *testing.T, srv *Server, _ string) {
	if _, _, err := srv.store.force(defaultAcct, linuxSrc, map[string]string{"State": "Unavailable"}, srv.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func named(t *testing.T, srv *Server, _ string) {
	createJob(t, srv, linuxSrc2, p{"Name": "taken"})
}

func TestModifyCompletesAndChecksSchedule(t *testing.T) {
	srv := newSMCServer(t)
	id := createJob(t, srv, linuxSrc, nil)
	fails(t, srv, defaultAcct, "ModifyReplicationJobAttribute", p{"JobId": id, "ScheduledStartTime": fmtTime(DefaultStart.Add(-time.Minute))}, "InvalidScheduledStartTime")
	must(t, srv, defaultAcct, "ModifyReplicationJobAttribute", p{"JobId": id, "ScheduledStartTime": fmtTime(DefaultStart.Add(time.Hour))})
	if got := jobOf(t, srv, defaultAcct, id)["Status"]; got != "Waiting" {
		t.Fatalf("scheduling a ready job makes it wait, got %v", got)
	}
	advance(srv, time.Hour)
	if got := jobOf(t, srv, defaultAcct, id)["Status"]; got != "Running" {
		t.Fatalf("the rescheduled job starts at the new time, got %v", got)
	}
}

func TestJobDeleteShowsDeletingThenDisappears(t *testing.T) {
	srv := newSMCServer(t)
	id := createJob(t, srv, linuxSrc, nil)
	must(t, srv, defaultAcct, "DeleteReplicationJob", p{"JobId": id})
	if got := jobOf(t, srv, defaultAcct, id)["Status"]; got != "Deleting" {
		t.Fatalf("right after the call the job is Deleting, got %v", got)
	}
	createJob(t, srv, linuxSrc, p{"ImageName": "second"})
	advance(srv, deletingDuration)
	fails(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": id}, "InvalidJobId.NotFound")
}

func TestDescribeReplicationJobsFiltersAndPages(t *testing.T) {
	srv := newSMCServer(t)
	a := createJob(t, srv, linuxSrc, p{"Name": "alpha", "Tag.1.Key": "team", "Tag.1.Value": "web"})
	b := createJob(t, srv, linuxSrc2, p{"Name": "beta"})
	must(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": b})
	cases := []struct {
		filter p
		want   []string
		why    string
	}{
		{p{}, []string{a, b}, "no filter lists all, in creation order"},
		{p{"Name": ""}, []string{a, b}, "an empty filter is ignored"},
		{p{"Status": "Running"}, []string{b}, "by status"},
		{p{"Status": "Running", "Name": "alpha"}, nil, "filters are ANDed"},
		{p{"SourceId.1": linuxSrc}, []string{a}, "by source"},
		{p{"JobId.1": b, "JobId.2": a}, []string{a, b}, "by IDs, still in creation order"},
		{p{"Tag.1.Key": "team", "Tag.1.Value": "web"}, []string{a}, "by tag"},
		{p{"Tag.1.Key": "team", "Tag.1.Value": "db"}, nil, "a tag value must match"},
		{p{"Tag.1.Key": "", "Tag.1.Value": "db"}, []string{a, b}, "an empty tag key is allowed here, and the filter is not used"},
		{p{"Status": "", "JobType": "", "PageSize": ""}, []string{a, b}, "empty values are not used either"},
		{p{"BusinessStatus": "Preparing"}, []string{b}, "by business status"},
		{p{"JobType": "2"}, nil, "by type"},
		{p{"PageSize": "1", "PageNumber": "2"}, []string{b}, "second page of one"},
		{p{"PageSize": "1", "PageNumber": "3"}, nil, "a page past the end is empty"},
	}
	for _, tc := range cases {
		body := must(t, srv, defaultAcct, "DescribeReplicationJobs", tc.filter)
		var got []string
		for _, j := range wrapped(body, "ReplicationJobs", "ReplicationJob") {
			got = append(got, j["JobId"].(string))
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: got %v, want %v", tc.why, got, tc.want)
		}
	}
	body := must(t, srv, defaultAcct, "DescribeReplicationJobs", p{"PageSize": "1"})
	if body["TotalCount"].(float64) != 2 || body["PageSize"].(float64) != 1 || body["PageNumber"].(float64) != 1 {
		t.Errorf("paging fields: %v", body)
	}
	if body := must(t, srv, defaultAcct, "DescribeReplicationJobs", nil); body["PageSize"].(float64) != 10 {
		t.Errorf("PageSize defaults to 10: %v", body["PageSize"])
	}
}

// A partition that does not say Block is block-replicated: the contract's default, taken
// from the metadata ("默认值：true" on both partition lists).
func TestPartitionBlockDefaultsToTrue(t *testing.T) {
	cases := []struct {
		name  string
		extra p
		path  []string
		want  bool
		why   string
	}{
		{"system part unset", p{"SystemDiskPart.1.Device": "0_0", "SystemDiskPart.1.SizeBytes": "1024"}, []string{"SystemDiskParts", "SystemDiskPart"}, true, "the default applies"},
		{"system part false", p{"SystemDiskPart.1.Device": "0_0", "SystemDiskPart.1.SizeBytes": "1024", "SystemDiskPart.1.Block": "false"}, []string{"SystemDiskParts", "SystemDiskPart"}, false, "a given value wins"},
		{"data part unset", p{"DataDisk.1.Index": "1", "DataDisk.1.Size": "100", "DataDisk.1.Part.1.Device": "1_0", "DataDisk.1.Part.1.SizeBytes": "1024"}, []string{"DataDisks", "DataDisk", "Parts", "Part"}, true, "the default applies inside a data disk"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSMCServer(t)
			j := jobOf(t, srv, defaultAcct, createJob(t, srv, linuxSrc, tc.extra))
			var part map[string]any
			cur := any(j)
			for i := 0; i < len(tc.path); i += 2 {
				list := wrapped(cur.(map[string]any), tc.path[i], tc.path[i+1])
				if len(list) != 1 {
					t.Fatalf("%s.%s: %v", tc.path[i], tc.path[i+1], list)
				}
				cur, part = list[0], list[0]
			}
			if part["Block"] != tc.want {
				t.Errorf("%s: Block is %v, want %v", tc.why, part["Block"], tc.want)
			}
		})
	}
}

// TestCutOverTimes: a cut-over run skips to the phase it begins in, but the job's StartTime
// and the run's record say when it was asked for, not minutes earlier. A one-time job still
// waiting for its ScheduledStartTime is Waiting, which is all the page asks (a choice): it
// migrates now and never runs again.
func TestCutOverTimes(t *testing.T) {
	cases := []struct {
		name  string
		extra p
		sync  string
		image bool
		why   string
	}{
		{"incremental, last sync", p{"RunOnce": "false", "Frequency": "12", "MaxNumberOfImageToKeep": "2"}, "true", true, "a final run delivers an image"},
		{"incremental, no sync", p{"RunOnce": "false", "Frequency": "12", "MaxNumberOfImageToKeep": "2"}, "false", false, "only the cleanup runs"},
		{"one-time, scheduled", p{"ScheduledStartTime": fmtTime(DefaultStart.Add(48 * time.Hour))}, "true", true, "the scheduled run happens now instead"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSMCServer(t)
			id := createJob(t, srv, linuxSrc, tc.extra)
			if jobOf(t, srv, defaultAcct, id)["Status"] != "Waiting" {
				srv.store.force(defaultAcct, id, map[string]string{"Status": "Waiting"}, srv.Clock().Now())
			}
			srv.Clock().Advance(time.Hour)
			at := fmtTime(srv.Clock().Now())
			must(t, srv, defaultAcct, "CutOverReplicationJob", p{"JobId": id, "SyncData": tc.sync})
			if got := jobOf(t, srv, defaultAcct, id)["StartTime"]; got != at {
				t.Errorf("StartTime %v, want the cut-over's time %s", got, at)
			}
			srv.Clock().Advance(3 * 24 * time.Hour)
			j := jobOf(t, srv, defaultAcct, id)
			runs := wrapped(j, "ReplicationJobRuns", "ReplicationJobRun")
			if j["Status"] != "Finished" {
				t.Fatalf("%s: status %v, want Finished", tc.why, j["Status"])
			}
			if tc.image != (len(runs) == 1 && j["ImageId"] != "") {
				t.Fatalf("%s: runs %v, image %v", tc.why, runs, j["ImageId"])
			}
			if tc.image && runs[0]["StartTime"] != at {
				t.Errorf("the run record starts at %v, want %s", runs[0]["StartTime"], at)
			}
		})
	}
}

// TestImageTargetNeedsNoImageName: an image job, whether TargetType says Image or is left
// out, needs neither ImageName nor SystemDiskSize (the newest metadata; a choice); both forms
// end up alike, the system disk taking the source's size.
func TestImageTargetNeedsNoImageName(t *testing.T) {
	srv := newSMCServer(t)
	explicit := must(t, srv, defaultAcct, "CreateReplicationJob", p{"RegionId": "cn-hangzhou", "SourceId": linuxSrc, "TargetType": "Image"})
	implicit := must(t, srv, defaultAcct, "CreateReplicationJob", p{"RegionId": "cn-hangzhou", "SourceId": linuxSrc2})
	a, b := jobOf(t, srv, defaultAcct, explicit["JobId"].(string)), jobOf(t, srv, defaultAcct, implicit["JobId"].(string))
	for _, f := range []string{"TargetType", "ImageName"} {
		if a[f] != b[f] {
			t.Errorf("%s: %v with TargetType=Image, %v without", f, a[f], b[f])
		}
	}
	for src, j := range map[string]map[string]any{linuxSrc: a, linuxSrc2: b} {
		body := must(t, srv, defaultAcct, "DescribeSourceServers", p{"SourceId.1": src})
		size := wrapped(body, "SourceServers", "SourceServer")[0]["SystemDiskSize"]
		if j["TargetType"] != "Image" || num(j["SystemDiskSize"]) != max(num(size), 20) {
			t.Errorf("an image job of %s (system disk %v): %v %v GiB", src, size, j["TargetType"], j["SystemDiskSize"])
		}
	}
}
