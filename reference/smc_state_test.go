package reference

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// busyState builds an account with every kind of object in a mid-lifecycle state.
func busyState(t *testing.T) (*Server, *smcState) {
	t.Helper()
	srv := newSMCServer(t)
	inc := createJob(t, srv, linuxSrc, p{"RunOnce": "false", "Frequency": "1", "MaxNumberOfImageToKeep": "2", "Tag.1.Key": "a"})
	must(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": inc})
	createJob(t, srv, linuxSrc2, p{"ScheduledStartTime": fmtTime(DefaultStart.Add(time.Hour))})
	must(t, srv, defaultAcct, "CreateAccessToken", p{"Name": "tok01"})
	wg := must(t, srv, defaultAcct, "CreateWorkgroup", p{"Name": "wave1"})["WorkgroupId"].(string)
	must(t, srv, defaultAcct, "AssociateSourceServers", p{"WorkgroupId": wg, "SourceId.1": linuxSrc})
	advance(srv, 30*time.Minute)
	jobOf(t, srv, defaultAcct, inc)
	unjournaled(srv) // its callers change the state itself
	return srv, srv.store.accounts[defaultAcct].SMC
}

func TestSMCStateRoundTripsThroughJSON(t *testing.T) {
	_, s := busyState(t)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back smcState
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.dump(), back.dump()) {
		t.Fatalf("durable state changes the visible objects")
	}
	later := s.Now.Add(40 * 24 * time.Hour)
	s.advance(later)
	back.advance(later)
	if !reflect.DeepEqual(s.dump(), back.dump()) {
		t.Fatalf("a restored state does not run the same lifecycle")
	}
}

func TestSMCDumpSeedsTheSameObjects(t *testing.T) {
	_, s := busyState(t)
	raw := map[string]json.RawMessage{}
	for k, v := range s.dump() {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		raw[k] = b
	}
	fresh := newSMCState()
	if err := fresh.seed(raw, s.Now); err != nil {
		t.Fatalf("seed from dump: %v", err)
	}
	if !reflect.DeepEqual(s.dump(), fresh.dump()) {
		a, _ := json.Marshal(s.dump())
		b, _ := json.Marshal(fresh.dump())
		t.Fatalf("dump -> seed -> dump differs:\n%s\n%s", a, b)
	}
	fresh.advance(s.Now.Add(2 * time.Hour))
	if j := fresh.Jobs[1]; j.Status != "Running" && j.Status != "Finished" {
		t.Errorf("a seeded scheduled job still starts by itself: %v", j.Status)
	}
}

func TestSMCSeedRejectsBadObjects(t *testing.T) {
	cases := []struct {
		kind, json, want string
	}{
		{"sourceServers", `[{"Name":"x"}]`, "SourceId is required"},
		{"sourceServers", `[{"SourceId":"s-1","State":"Sleeping"}]`, "unknown State"},
		{"replicationJobs", `[{"JobId":"j-1","Status":"Paused"}]`, "unknown Status"},
		{"replicationJobs", `{"JobId":"j-1"}`, "replicationJobs"},
		{"workgroups", `[{"Name":"w"}]`, "WorkgroupId is required"},
		{"accessTokens", `[{}]`, "AccessTokenId is required"},
	}
	for _, tc := range cases {
		s := newSMCState()
		err := s.seed(map[string]json.RawMessage{tc.kind: json.RawMessage(tc.json)}, DefaultStart)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: got %v, want an error about %q", tc.kind, tc.json, err, tc.want)
		}
		if len(s.Sources)+len(s.Jobs) != 0 {
			t.Errorf("a failed seed changes nothing")
		}
	}
}

func TestSMCForce(t *testing.T) {
	srv, s := busyState(t)
	job := s.Jobs[0].JobId
	cases := []struct {
		id     string
		fields map[string]string
		found  bool
		fail   bool
		why    string
	}{
		{job, map[string]string{"Status": "InError", "ErrorCode": "S1"}, true, false, "force a job to fail"},
		{job, map[string]string{"Status": "Paused"}, true, true, "not a job status"},
		{job, map[string]string{"BusinessStatus": "Syncing"}, true, true, "only a running job has phases"},
		{linuxSrc2, map[string]string{"State": "Unavailable"}, true, false, "the agent goes away"},
		{linuxSrc2, map[string]string{"State": "InUse"}, true, true, "InUse follows jobs"},
		{s.Tokens[0].AccessTokenId, map[string]string{"Status": "activated"}, true, false, "an agent used the token"},
		{s.Workgroups[0].WorkgroupId, map[string]string{"Status": "Completed"}, true, true, "workgroup status is derived"},
		{"j-nosuchjob", map[string]string{"Status": "Ready"}, false, false, "unknown IDs are reported, not an error"},
	}
	for _, tc := range cases {
		kind, err := s.force(tc.id, tc.fields)
		if (kind != "") != tc.found || (err != nil) != tc.fail {
			t.Errorf("%s: kind=%q err=%v", tc.why, kind, err)
		}
	}
	j := jobOf(t, srv, defaultAcct, job)
	if j["Status"] != "InError" || j["ErrorCode"] != "S1" {
		t.Errorf("forced failure shows: %v %v", j["Status"], j["ErrorCode"])
	}
	if got := sourceOf(t, srv, defaultAcct, linuxSrc2)["State"]; got != "Unavailable" {
		t.Errorf("forced source state shows: %v", got)
	}
}
