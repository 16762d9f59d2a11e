package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// startWalkServe runs `smcct serve` as a target without a control plane, on a real clock
// sped up scale times: what the suites must walk rather than force.
func startWalkServe(t *testing.T, scale string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := exec.Command(checkBinary(t), "serve", "--addr", addr, "--control=false", "--clock", "real", "--time-scale", scale, "--log-level", "warn")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	u := "http://" + addr
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(u + "/"); err == nil {
			resp.Body.Close()
			return u
		}
	}
	t.Fatalf("smcct serve did not answer on %s", addr)
	return ""
}

// walkReport runs check against an endpoint with writes and returns the spec reports.
func walkReport(t *testing.T, args ...string) ([]types.SpecReport, string) {
	t.Helper()
	report := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(checkBinary(t), append([]string{"check", "--allow-writes", "--json-report", report}, args...)...)
	cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID=smcct", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=smcct-secret")
	out, _ := cmd.CombinedOutput()
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("no JSON report: %v\n%s", err, out)
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil {
		t.Fatal(err)
	}
	var specs []types.SpecReport
	for _, r := range reports {
		for _, s := range r.SpecReports {
			if s.LeafNodeType == types.NodeTypeIt && !(s.State == types.SpecStateSkipped && s.Failure.Message == "") {
				specs = append(specs, s)
			}
		}
	}
	return specs, string(out)
}

// TestWalkedPreconditionsAndLifecycles is a bounded run of what `smcct check --endpoint`
// does against a target with no control plane: precondition specs of a few actions and the
// lifecycles, walked through the public API on the target's clock in two Ginkgo processes.
// None may fail; each skip names its reason; the reachable states pass.
func TestWalkedPreconditionsAndLifecycles(t *testing.T) {
	u := startWalkServe(t, "120")
	filter := "(precondition && (action:StopDiskReplicaGroup || action:StopReplicationJob || action:ClearReplicaGroupDrill)) || (lifecycle && !action:CutOverReplicationJob && !action:DeleteSourceServer)"
	specs, out := walkReport(t, "--endpoint", u, "--procs", "2", "--label-filter", filter,
		"--skip", "ScheduledStartTime", "--skip", "ValidTime", "--skip", "each business phase")
	passed := map[string]int{}
	for _, s := range specs {
		kind := "precondition"
		if strings.Contains(strings.Join(s.Labels(), " "), "lifecycle") {
			kind = "lifecycle"
		}
		switch {
		case s.State.Is(types.SpecStateFailureStates):
			t.Errorf("%s failed: %s", s.FullText(), s.Failure.Message)
		case s.State == types.SpecStateSkipped && strings.TrimSpace(s.Failure.Message) == "":
			t.Errorf("%s was skipped without a reason", s.FullText())
		case s.State.Is(types.SpecStatePassed):
			passed[kind]++
		}
	}
	// 23 of these 34 precondition cases have a public path (the *_failed, invalid and deleted
	// states, InError and a week-long expiry have none), and the 4 lifecycles all do. A
	// loaded machine may miss a transitional state's window five times in a row, which skips
	// the case with that reason: hence the margin.
	if passed["precondition"] < 21 || passed["lifecycle"] < 4 {
		t.Errorf("passed %v; want at least 21 precondition and 4 lifecycle specs\n%s", passed, lastLines(out, 40))
	}
	t.Logf("passed %v of %d specs", passed, len(specs))
}

// TestSweepRemovesTheTaggedLeftoversOfAKilledRun kills a check run mid-way, then sweeps.
// Exactly what carries a run tag goes: every object of the account is listed before the
// sweep, each tagged one must be reported removed and be gone, and each other one (the
// fixtures, and objects made here whose names only look like a run's) must still be there.
func TestSweepRemovesTheTaggedLeftoversOfAKilledRun(t *testing.T) {
	// A slower clock than the other walk tests: each process must still be mid-walk when
	// the other has made its object.
	u := startWalkServe(t, "20")
	c := walkClient(t, u)
	// Names a sweep must leave: no run stamp after the tag, another tag with a stamp, no tag.
	call(t, c, "CreateDiskReplicaGroup", url.Values{"RegionId": {"cn-hangzhou"}, "SourceZoneId": {"cn-hangzhou-h"},
		"DestinationRegionId": {"cn-shanghai"}, "DestinationZoneId": {"cn-shanghai-e"}, "GroupName": {"smcct-keep-me"}})
	call(t, c, "CreateAccessToken", url.Values{"RegionId": {"cn-hangzhou"}, "Name": {"other-" + strconv.FormatInt(time.Now().Add(-3*time.Hour).Unix(), 36) + "-token"}})
	call(t, c, "CreateWorkgroup", url.Values{"RegionId": {"cn-hangzhou"}, "Name": {"team-workgroup"}})

	cmd := exec.Command(checkBinary(t), "check", "--endpoint", u, "--allow-writes", "--procs", "2",
		"--focus", "StopReplicationJob when the ReplicationJob BusinessStatus is Processing",
		"--focus", "ReprotectDiskReplicaPair when the ReplicaPair Status is reprotecting")
	cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID=smcct", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=smcct-secret")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the kill takes its parallel processes too
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill := func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() }
	// Kill the run once its processes hold a job and a pair of their own: mid-walk, before
	// any cleanup.
	for deadline := time.Now().Add(60 * time.Second); len(kinds(inventory(t, c), start)) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			kill()
			t.Fatal("the run did not hold a tagged job and a tagged pair within 60 s")
		}
	}
	kill()

	before := inventory(t, c)
	left := tagged(before, start)
	sweep := exec.Command(checkBinary(t), "sweep", "--endpoint", u, "--older-than", "0", "--time-scale", "20")
	sweep.Env = cmd.Env
	out, err := sweep.CombinedOutput()
	if err != nil {
		t.Fatalf("sweep: %v\n%s", err, out)
	}
	after := inventory(t, c)
	for id, o := range before {
		_, still := after[id]
		switch {
		case left[id] && still:
			t.Errorf("the run's %s %s (%s) is still there after the sweep", o.kind, id, o.name)
		case left[id] && !strings.Contains(string(out), "removed "+o.kind+" "+id+" ("):
			t.Errorf("sweep did not report removing %s %s (%s)", o.kind, id, o.name)
		case !left[id] && !still:
			t.Errorf("sweep removed the untagged %s %s (%s)", o.kind, id, o.name)
		}
	}
	if n := strings.Count(string(out), "\nremoved "); n != len(left) {
		t.Errorf("sweep reports %d removals, the run left %d tagged objects:\n%s", n, len(left), out)
	}
	t.Logf("%d tagged objects removed, %d others kept:\n%s", len(left), len(before)-len(left), out)
}

// listed is one object of the account, as a list action shows it.
type listed struct{ kind, name string }

// inventory lists every replication job, access token, workgroup, replica group and pair of
// the account by ID, in both regions the walker uses; independent of the sweeper's own
// listing, so that the two cannot share a blind spot.
func inventory(t *testing.T, c *rpc.Client) map[string]listed {
	t.Helper()
	out := map[string]listed{}
	for _, l := range []struct{ kind, action, items, id, name string }{
		{"ReplicationJob", "DescribeReplicationJobs", "ReplicationJobs.ReplicationJob", "JobId", "Name"},
		{"AccessToken", "ListAccessTokens", "AccessTokens.AccessToken", "AccessTokenId", "Name"},
		{"Workgroup", "DescribeWorkgroups", "Workgroups.Workgroup", "WorkgroupId", "Name"},
		{"ReplicaGroup", "DescribeDiskReplicaGroups", "ReplicaGroups", "ReplicaGroupId", "GroupName"},
		{"ReplicaPair", "DescribeDiskReplicaPairs", "ReplicaPairs", "ReplicaPairId", "PairName"},
	} {
		for _, region := range []string{"cn-hangzhou", "cn-shanghai"} {
			q := url.Values{"RegionId": {region}}
			if strings.HasPrefix(l.kind, "Replica") {
				q.Set("MaxResults", "100")
			} else {
				q.Set("PageSize", "50")
			}
			items := path(call(t, c, l.action, q), l.items)
			if len(items) >= 50 {
				t.Fatalf("%s lists %d items: more than one page", l.action, len(items))
			}
			for _, it := range items {
				m, _ := it.(map[string]any)
				id, _ := m[l.id].(string)
				name, _ := m[l.name].(string)
				if id == "" {
					t.Fatalf("%s item without %s: %v", l.action, l.id, m)
				}
				out[id] = listed{l.kind, name}
			}
		}
	}
	return out
}

// tagged are the objects whose names a run with the default tag started since gave:
// "smcct-", the run's start in base 36 Unix seconds, "-". Read here without the
// framework's parser, so that the sweeper and this test cannot share a mistake.
func tagged(objs map[string]listed, since time.Time) map[string]bool {
	out := map[string]bool{}
	for id, o := range objs {
		parts := strings.SplitN(o.name, "-", 3)
		if len(parts) < 3 || parts[0] != "smcct" {
			continue
		}
		if secs, err := strconv.ParseInt(parts[1], 36, 64); err == nil && secs >= since.Unix()-1 && secs <= time.Now().Unix() {
			out[id] = true
		}
	}
	return out
}

// kinds are the kinds of the tagged objects.
func kinds(objs map[string]listed, since time.Time) map[string]bool {
	out := map[string]bool{}
	for id := range tagged(objs, since) {
		out[objs[id].kind] = true
	}
	return out
}

// path follows dotted keys into an answer and returns the list at the end.
func path(data map[string]any, keys string) []any {
	var v any = data
	for _, k := range strings.Split(keys, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	list, _ := v.([]any)
	return list
}

func walkClient(t *testing.T, u string) *rpc.Client {
	t.Helper()
	c, err := rpc.NewClient(rpc.Config{Endpoint: u, AccessKeyID: "smcct", AccessKeySecret: "smcct-secret", RegionID: "cn-hangzhou"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// call sends one action that must succeed and returns the answer.
func call(t *testing.T, c *rpc.Client, action string, q url.Values) map[string]any {
	t.Helper()
	a, ok := spec.MustDefault().Lookup("2021-07-30", action)
	if !ok {
		a, ok = spec.MustDefault().Lookup("2019-06-01", action)
	}
	if !ok {
		t.Fatalf("no action %s", action)
	}
	resp, err := c.Call(context.Background(), a.Product.Version, action, q)
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("%s: %v %v", action, err, resp)
	}
	return resp.Data
}

// names lists the names with prefix in an EBS list answer.
func names(data map[string]any, key, field, prefix string) []string {
	var out []string
	list, _ := data[key].([]any)
	for _, it := range list {
		m, _ := it.(map[string]any)
		if n, _ := m[field].(string); strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestInterruptedRunCleansUp: Ctrl-C in the middle of a walked run still removes what the
// run created (Ginkgo runs the interrupted spec's cleanup), so nothing tagged is left.
func TestInterruptedRunCleansUp(t *testing.T) {
	u := startWalkServe(t, "120")
	c := walkClient(t, u)
	cmd := exec.Command(checkBinary(t), "check", "--endpoint", u, "--allow-writes", "--label-filter", "precondition && action:ReprotectDiskReplicaGroup")
	cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID=smcct", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=smcct-secret")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var tagged []string
	for deadline := time.Now().Add(30 * time.Second); len(tagged) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		tagged = names(call(t, c, "DescribeDiskReplicaGroups", url.Values{"RegionId": {"cn-hangzhou"}}), "ReplicaGroups", "GroupName", "smcct-")
	}
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the interrupted run did not end within a minute")
	}
	if len(tagged) == 0 {
		t.Fatal("the run created no tagged group within 30 s")
	}
	for _, list := range []struct{ action, key, field string }{{"DescribeDiskReplicaPairs", "ReplicaPairs", "PairName"}, {"DescribeDiskReplicaGroups", "ReplicaGroups", "GroupName"}} {
		for _, region := range []string{"cn-hangzhou", "cn-shanghai"} {
			if left := names(call(t, c, list.action, url.Values{"RegionId": {region}}), list.key, list.field, "smcct-"); len(left) > 0 {
				t.Errorf("the interrupted run left %v in %s", left, region)
			}
		}
	}
}

// TestProfileErrorsComeBeforeAnyCall: a bad profile value is refused, naming the field,
// before the endpoint (here a closed port) is called at all.
func TestProfileErrorsComeBeforeAnyCall(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "profile.yaml")
	if err := os.WriteFile(bad, []byte("disks:\n  - {id: d-1, region: cn-hangzhou, zone: cn-hangzhou-h, size: 20, status: Attached}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		why  string
		args []string
		want string
	}{
		{"a bad value in the file", []string{"--target-config", bad}, "disks[0].status"},
		{"a bad flag over the file", []string{"--run-tag", "Bad Tag"}, "runTag"},
	}
	for _, c := range cases {
		cmd := exec.Command(checkBinary(t), append([]string{"check", "--endpoint", "http://127.0.0.1:1"}, c.args...)...)
		cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID=smcct", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=smcct-secret")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) || strings.Contains(string(out), "connection refused") {
			t.Errorf("%s: %v\n%s\nwant an error naming %q before any call", c.why, err, out, c.want)
		}
	}
}

// TestProcsMatchSerial: a run in Ginkgo parallel processes gives every spec the outcome a
// serial run gives it.
func TestProcsMatchSerial(t *testing.T) {
	outcomes := func(args ...string) map[string]string {
		report := filepath.Join(t.TempDir(), "report.json")
		cmd := exec.Command(checkBinary(t), append([]string{"check", "--json-report", report, "--label-filter", "action:StopDiskReplicaGroup || action:DescribeReplicationJobs"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("check %v: %v\n%s", args, err, lastLines(string(out), 30))
		}
		data, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		var reports []types.Report
		if err := json.Unmarshal(data, &reports); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range reports {
			for _, s := range r.SpecReports {
				if s.LeafNodeType == types.NodeTypeIt {
					out[s.FullText()] = s.State.String()
				}
			}
		}
		return out
	}
	serial, parallel := outcomes(), outcomes("--procs", "2")
	if len(serial) < 50 {
		t.Fatalf("only %d specs ran", len(serial))
	}
	for text, state := range serial {
		if parallel[text] != state {
			t.Errorf("%s: %s serially, %q in parallel", text, state, parallel[text])
		}
	}
	if len(parallel) != len(serial) {
		t.Errorf("%d specs in parallel, %d serially", len(parallel), len(serial))
	}
}
