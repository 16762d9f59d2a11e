package reference

import (
	"testing"
	"time"
)

func TestOneTimeJobRunsToFinished(t *testing.T) {
	srv := newSMCServer(t)
	id := createJob(t, srv, linuxSrc, nil)
	if got := jobOf(t, srv, defaultAcct, id)["Status"]; got != "Ready" {
		t.Fatalf("new job is %v, want Ready", got)
	}
	must(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": id})
	steps := []struct {
		after    time.Duration
		status   string
		business string
		source   string
		why      string
	}{
		{0, "Running", "Preparing", "InUse", "a started job prepares first and its source is busy"},
		{3 * time.Minute, "Running", "Syncing", "InUse", "after Preparing's 2 minutes it syncs"},
		{10 * time.Minute, "Running", "Processing", "InUse", "Syncing lasts 10 minutes"},
		{5 * time.Minute, "Running", "Cleaning", "InUse", "Processing lasts 5 minutes"},
		{2 * time.Minute, "Finished", "", "Available", "Cleaning ends the run; the source is free"},
	}
	last := -1.0
	for _, st := range steps {
		advance(srv, st.after)
		j := jobOf(t, srv, defaultAcct, id)
		if j["Status"] != st.status || j["BusinessStatus"] != st.business {
			t.Fatalf("%s: job %v/%v, want %s/%s", st.why, j["Status"], j["BusinessStatus"], st.status, st.business)
		}
		if prog := j["Progress"].(float64); prog <= last {
			t.Errorf("%s: progress %v did not rise from %v", st.why, prog, last)
		} else {
			last = prog
		}
		if got := sourceOf(t, srv, defaultAcct, linuxSrc)["State"]; got != st.source {
			t.Errorf("%s: source %v, want %s", st.why, got, st.source)
		}
	}
	j := jobOf(t, srv, defaultAcct, id)
	if j["ImageId"] == "" || j["EndTime"] == "" || j["Progress"].(float64) != 100 {
		t.Errorf("finished job lacks its image, end time or full progress: %v", j)
	}
	if runs := wrapped(j, "ReplicationJobRuns", "ReplicationJobRun"); len(runs) != 1 || runs[0]["Type"] != "Manual" {
		t.Errorf("want one Manual run, got %v", runs)
	}
	if got := sourceOf(t, srv, defaultAcct, linuxSrc)["JobId"]; got != id {
		t.Errorf("source JobId %v, want the last job %s", got, id)
	}
}

func TestIncrementalJobWaitsRunsOnScheduleAndCutsOver(t *testing.T) {
	srv := newSMCServer(t)
	id := createJob(t, srv, linuxSrc, p{"RunOnce": "false", "Frequency": "2", "MaxNumberOfImageToKeep": "2", "ValidTime": ""})
	must(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": id})
	advance(srv, 19*time.Minute)
	j := jobOf(t, srv, defaultAcct, id)
	if j["Status"] != "Waiting" || j["ImageId"] == "" {
		t.Fatalf("after the first run an incremental job waits with an image: %v/%v", j["Status"], j["ImageId"])
	}
	if got := sourceOf(t, srv, defaultAcct, linuxSrc)["State"]; got != "Available" {
		t.Errorf("a waiting job does not hold its source: %v", got)
	}
	advance(srv, 2*time.Hour+5*time.Minute)
	if j := jobOf(t, srv, defaultAcct, id); j["Status"] != "Running" || j["BusinessStatus"] != "Syncing" {
		t.Fatalf("Frequency hours later the next run is under way: %v/%v", j["Status"], j["BusinessStatus"])
	}
	advance(srv, 6*time.Hour)
	j = jobOf(t, srv, defaultAcct, id)
	runs := wrapped(j, "ReplicationJobRuns", "ReplicationJobRun")
	if len(runs) != 2 {
		t.Fatalf("MaxNumberOfImageToKeep 2 keeps two run records, got %d", len(runs))
	}
	if runs[1]["Type"] != "Schedule" || runs[0]["ImageId"] == runs[1]["ImageId"] {
		t.Errorf("scheduled runs make new images: %v", runs)
	}
	fails(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": id}, "ReplicationJob.InvalidStatus")
	must(t, srv, defaultAcct, "CutOverReplicationJob", p{"JobId": id, "SyncData": "true"})
	if j := jobOf(t, srv, defaultAcct, id); j["Status"] != "Running" || j["BusinessStatus"] != "Syncing" {
		t.Fatalf("a cut-over with SyncData syncs once more: %v/%v", j["Status"], j["BusinessStatus"])
	}
	advance(srv, 17*time.Minute)
	if j := jobOf(t, srv, defaultAcct, id); j["Status"] != "Finished" {
		t.Fatalf("after the last sync the job is Finished, got %v", j["Status"])
	}
}

func TestCutOverWithoutSyncOnlyCleansUp(t *testing.T) {
	srv := newSMCServer(t)
	id := createJob(t, srv, linuxSrc, p{"RunOnce": "false", "Frequency": "1", "MaxNumberOfImageToKeep": "1"})
	fails(t, srv, defaultAcct, "CutOverReplicationJob", p{"JobId": id}, "ReplicationJob.InvalidStatus")
	must(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": id})
	advance(srv, 20*time.Minute)
	before := jobOf(t, srv, defaultAcct, id)["ImageId"]
	must(t, srv, defaultAcct, "CutOverReplicationJob", p{"JobId": id})
	if j := jobOf(t, srv, defaultAcct, id); j["BusinessStatus"] != "Cleaning" {
		t.Fatalf("a cut-over without sync only cleans up: %v", j["BusinessStatus"])
	}
	advance(srv, 2*time.Minute)
	j := jobOf(t, srv, defaultAcct, id)
	if j["Status"] != "Finished" || j["ImageId"] != before {
		t.Errorf("cleanup finishes the job and keeps the last image: %v %v (was %v)", j["Status"], j["ImageId"], before)
	}
}

func TestScheduledJobWaitsThenStartsByItself(t *testing.T) {
	srv := newSMCServer(t)
	start := srv.Clock().Now().Add(3 * time.Hour)
	id := createJob(t, srv, linuxSrc, p{"ScheduledStartTime": fmtTime(start)})
	if got := jobOf(t, srv, defaultAcct, id)["Status"]; got != "Waiting" {
		t.Fatalf("a scheduled job waits, got %v", got)
	}
	advance(srv, 3*time.Hour)
	j := jobOf(t, srv, defaultAcct, id)
	if j["Status"] != "Running" || j["StartTime"] != fmtTime(start) {
		t.Fatalf("it starts at its scheduled time: %v at %v", j["Status"], j["StartTime"])
	}
	advance(srv, time.Hour)
	runs := wrapped(jobOf(t, srv, defaultAcct, id), "ReplicationJobRuns", "ReplicationJobRun")
	if len(runs) != 1 || runs[0]["Type"] != "Schedule" {
		t.Errorf("the run is recorded as Schedule: %v", runs)
	}
}

func TestExpiredJobIsRemovedAWeekLater(t *testing.T) {
	srv := newSMCServer(t)
	valid := srv.Clock().Now().Add(7 * 24 * time.Hour)
	id := createJob(t, srv, linuxSrc, p{"ValidTime": fmtTime(valid)})
	advance(srv, 7*24*time.Hour)
	if got := jobOf(t, srv, defaultAcct, id)["Status"]; got != "Expired" {
		t.Fatalf("at ValidTime the job expires, got %v", got)
	}
	fails(t, srv, defaultAcct, "CreateReplicationJob", p{"RegionId": "cn-hangzhou", "SourceId": linuxSrc},
		"SourceServer.UnfinishedReplicationJob")
	advance(srv, 7*24*time.Hour-time.Second)
	jobOf(t, srv, defaultAcct, id)
	advance(srv, time.Second)
	body := must(t, srv, defaultAcct, "DescribeReplicationJobs", p{"JobId.1": id})
	if body["TotalCount"].(float64) != 0 {
		t.Fatalf("an expired job is gone seven days later")
	}
	createJob(t, srv, linuxSrc, nil)
}

func TestLongClockJumpIsBoundedAndEquivalent(t *testing.T) {
	stepped, jumped := newSMCServer(t), newSMCServer(t)
	var ids [2]string
	for i, srv := range []*Server{stepped, jumped} {
		ids[i] = createJob(t, srv, linuxSrc, p{"RunOnce": "false", "Frequency": "1", "MaxNumberOfImageToKeep": "3",
			"ValidTime": fmtTime(srv.Clock().Now().Add(60 * 24 * time.Hour))})
		must(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": ids[i]})
	}
	for range 30 * 24 {
		advance(stepped, time.Hour)
		jobOf(t, stepped, defaultAcct, ids[0])
	}
	begin := time.Now()
	advance(jumped, 30*24*time.Hour)
	b := jobOf(t, jumped, defaultAcct, ids[1])
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("a 30-day jump took %v", took)
	}
	a := jobOf(t, stepped, defaultAcct, ids[0])
	ra, rb := wrapped(a, "ReplicationJobRuns", "ReplicationJobRun"), wrapped(b, "ReplicationJobRuns", "ReplicationJobRun")
	if len(ra) != 3 || len(rb) != 3 {
		t.Fatalf("three images kept, got %d and %d", len(ra), len(rb))
	}
	for i := range ra {
		if ra[i]["ImageId"] != rb[i]["ImageId"] || ra[i]["StartTime"] != rb[i]["StartTime"] {
			t.Errorf("run %d differs between stepping and jumping: %v vs %v", i, ra[i], rb[i])
		}
	}
	if a["Status"] != b["Status"] || a["BusinessStatus"] != b["BusinessStatus"] {
		t.Errorf("state differs: %v/%v vs %v/%v", a["Status"], a["BusinessStatus"], b["Status"], b["BusinessStatus"])
	}
}
