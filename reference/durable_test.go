package reference

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"gopkg.in/yaml.v3"

	"github.com/smcct/smcct/fixtures"
	"github.com/smcct/smcct/rpc"
)

// The durability proof runs the real binary: only a separate process can be killed with
// SIGKILL mid-write, which is the failure --state promises to survive.

// smcctBinary builds cmd/smcct into the test's temporary directory, which the test removes;
// the build cache makes every build after the first a link step.
func smcctBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "smcct")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/smcct/smcct/cmd/smcct").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serveProc is one `smcct serve` subprocess on a loopback port the kernel picked.
type serveProc struct {
	cmd    *exec.Cmd
	addr   string // host:port from the banner
	stderr *strings.Builder
	done   chan error
}

// startServe runs `smcct serve --addr 127.0.0.1:0 args...` and waits for its banner. The
// process is killed at cleanup whatever the test did to it, so none outlives the test.
func startServe(t *testing.T, bin string, args ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, stderr: &strings.Builder{}, done: make(chan error, 1)}
	cmd.Stderr = &durLockedWriter{w: p.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-p.done })
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "smcct reference listening on http://"); ok {
				addrc <- rest
			}
		}
		p.done <- cmd.Wait()
	}()
	select {
	case p.addr = <-addrc:
	case <-time.After(10 * time.Second):
		t.Fatalf("serve %v printed no banner; stderr: %s", args, p.stderr)
	}
	return p
}

// durLockedWriter lets the exec package's copier and the test read stderr safely.
type durLockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *durLockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (p *serveProc) url() string { return "http://" + p.addr }

func (p *serveProc) client(t *testing.T) *rpc.Client {
	t.Helper()
	c, err := rpc.NewClient(rpc.Config{Endpoint: p.url(), AccessKeyID: "smcct", AccessKeySecret: "smcct-secret",
		RegionID: "cn-hangzhou", HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// stop sends sig and waits for the exit status.
func (p *serveProc) stop(t *testing.T, sig syscall.Signal) error {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- err // let cleanup's receive return
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("serve ignored %v for 10s", sig)
		return nil
	}
}

// durableFixtures writes durFixturesYAML to a file for `serve --fixtures`.
func durableFixtures(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fixtures.yaml")
	if err := os.WriteFile(path, durFixturesYAML(t, n), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// durFixturesYAML is the default fixtures plus n extra Available sources in the default
// account, so that every writer can create jobs on sources of its own.
func durFixturesYAML(tb testing.TB, n int) []byte {
	tb.Helper()
	f, err := ParseFixtures(fixtures.Default)
	if err != nil {
		tb.Fatal(err)
	}
	sources, _ := f.Accounts[0].State["sourceServers"].([]any)
	for i := range n {
		sources = append(sources, map[string]any{
			"SourceId": durableSource(i), "Name": fmt.Sprintf("dur-%03d", i), "State": "Available",
			"AgentVersion": "2.7.4", "Platform": "CentOS Linux 7.9", "Architecture": "x86_64",
			"HeartbeatRate": 10, "CreationTime": "2026-11-01T08:00:00Z", "SystemDiskSize": 40,
		})
	}
	f.Accounts[0].State["sourceServers"] = sources
	data, err := yaml.Marshal(f)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func durableSource(i int) string { return fmt.Sprintf("s-bp1smcctdurable%05d", i) }

// acks is every write the server acknowledged with a 200, by kind.
type durAcks struct {
	mu      sync.Mutex
	jobs    map[string]string // JobId -> SourceId
	tags    map[string]string // JobId -> tag value
	started map[string]bool   // JobId
	groups  map[string]string // ReplicaGroupId -> GroupName
	n       atomic.Int64
}

func newDurAcks() *durAcks {
	return &durAcks{jobs: map[string]string{}, tags: map[string]string{}, started: map[string]bool{}, groups: map[string]string{}}
}

func (a *durAcks) record(f func()) {
	a.mu.Lock()
	f()
	a.mu.Unlock()
	a.n.Add(1)
}

// durSMCWriter creates, tags and starts a job on each of its sources until a call fails (the
// server was killed) or it runs out of sources.
func durSMCWriter(ctx context.Context, c *rpc.Client, sources []int, a *durAcks) {
	for _, i := range sources {
		resp, err := c.Call(ctx, "2019-06-01", "CreateReplicationJob", url.Values{
			"SourceId": {durableSource(i)}, "Name": {fmt.Sprintf("dur-job-%03d", i)}})
		if err != nil {
			return
		}
		job := fmt.Sprint(resp.Data["JobId"])
		a.record(func() { a.jobs[job] = durableSource(i) })
		_, err = c.Call(ctx, "2019-06-01", "TagResources", url.Values{"ResourceType": {"replicationjob"},
			"ResourceId.1": {job}, "Tag.1.Key": {"dur"}, "Tag.1.Value": {fmt.Sprint(i)}})
		if err != nil {
			return
		}
		a.record(func() { a.tags[job] = fmt.Sprint(i) })
		if _, err = c.Call(ctx, "2019-06-01", "StartReplicationJob", url.Values{"JobId": {job}}); err != nil {
			return
		}
		a.record(func() { a.started[job] = true })
	}
}

// durEBSWriter creates replica groups up to the empty-group quota.
func durEBSWriter(ctx context.Context, c *rpc.Client, n int, a *durAcks) {
	for i := range n {
		name := fmt.Sprintf("dur-group-%d", i)
		resp, err := c.Call(ctx, "2021-07-30", "CreateDiskReplicaGroup", url.Values{
			"SourceZoneId": {"cn-hangzhou-h"}, "DestinationRegionId": {"cn-shanghai"},
			"DestinationZoneId": {"cn-shanghai-e"}, "GroupName": {name}})
		if err != nil {
			return
		}
		id := fmt.Sprint(resp.Data["ReplicaGroupId"])
		a.record(func() { a.groups[id] = name })
	}
}

// TestKill9KeepsEveryAcknowledgedWrite drives writes from five goroutines, kills the server
// with SIGKILL in the middle, and restarts it on the same file: every write that got a 200
// must be there, the file must pass bbolt's consistency check, and IDs minted after the
// restart must not collide with acknowledged ones.
func TestKill9KeepsEveryAcknowledgedWrite(t *testing.T) {
	const sources, writers, groups, killAfter = 200, 4, 8, 150
	bin, fx := smcctBinary(t), durableFixtures(t, sources)
	state := filepath.Join(t.TempDir(), "state.db")
	p := startServe(t, bin, "--state", state, "--fixtures", fx, "--clock", "virtual")
	a := newDurAcks()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for w := range writers {
		var mine []int
		for i := w; i < sources; i += writers {
			mine = append(mine, i)
		}
		wg.Go(func() { durSMCWriter(ctx, p.client(t), mine, a) })
	}
	wg.Go(func() { durEBSWriter(ctx, p.client(t), groups, a) })
	for a.n.Load() < killAfter {
		if ctx.Err() != nil {
			t.Fatalf("only %d writes acknowledged before the deadline", a.n.Load())
		}
		time.Sleep(time.Millisecond)
	}
	if err := p.stop(t, syscall.SIGKILL); err == nil {
		t.Fatal("serve exited cleanly on SIGKILL: it was not running")
	}
	wg.Wait()
	if total := int64(sources*3 + groups); a.n.Load() >= total {
		t.Fatalf("all %d writes finished before the kill: the test did not kill mid-load", total)
	}
	durCheckBolt(t, state)
	restarted := startServe(t, bin, "--state", state, "--fixtures", fx, "--clock", "virtual")
	dump := durState(t, restarted.url())
	durCheckAcked(t, a, dump)
	durCheckLegal(t, dump)
	resp, err := restarted.client(t).Call(ctx, "2019-06-01", "CreateReplicationJob", url.Values{
		"SourceId": {durableSource(sources - 1)}, "Name": {"after-restart"}})
	if err == nil {
		if _, dup := a.jobs[fmt.Sprint(resp.Data["JobId"])]; dup {
			t.Fatalf("a job created after the restart reused acknowledged ID %v: the ID counter was not saved", resp.Data["JobId"])
		}
	} else if e, ok := rpc.AsError(err); !ok || e.Code != "SourceServer.UnfinishedReplicationJob" {
		t.Fatalf("create after restart: %v", err)
	}
	t.Logf("%d writes acknowledged before SIGKILL, all present after restart", a.n.Load())
}

// durCheckBolt opens the state file read-only and runs bbolt's page-level consistency check.
func durCheckBolt(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("state file after SIGKILL does not open: %v", err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatalf("state file after SIGKILL is inconsistent: %v", err)
	}
}

// durState fetches GET /_smcct/state of the default account.
func durState(t *testing.T, base string) map[string]any {
	t.Helper()
	var dump map[string]any
	getJSON(t, base+"/_smcct/state", &dump)
	return dump
}

// objects indexes a dump's list of one kind by an ID field.
func durObjects(dump map[string]any, kind, idField string) map[string]map[string]any {
	out := map[string]map[string]any{}
	list, _ := dump[kind].([]any)
	for _, it := range list {
		obj, _ := it.(map[string]any)
		out[fmt.Sprint(obj[idField])] = obj
	}
	return out
}

func durCheckAcked(t *testing.T, a *durAcks, dump map[string]any) {
	t.Helper()
	jobs := durObjects(dump, "replicationJobs", "JobId")
	for id, src := range a.jobs {
		j, ok := jobs[id]
		if !ok || j["SourceId"] != src {
			t.Errorf("acknowledged job %s on %s is missing or moved: %v", id, src, j)
		}
	}
	for id, v := range a.tags {
		if !strings.Contains(fmt.Sprint(jobs[id]["Tags"]), "Value:"+v+"]") {
			t.Errorf("acknowledged tag dur=%s on %s is missing: %v", v, id, jobs[id]["Tags"])
		}
	}
	for id := range a.started {
		if jobs[id]["Status"] != "Running" {
			t.Errorf("acknowledged start of %s lost: status %v on a clock that never moved", id, jobs[id]["Status"])
		}
	}
	grps := durObjects(dump, "replicaGroups", "ReplicaGroupId")
	for id, name := range a.groups {
		if g, ok := grps[id]; !ok || g["GroupName"] != name {
			t.Errorf("acknowledged replica group %s (%s) is missing: %v", id, name, g)
		}
	}
}

// durCheckLegal checks invariants a half-applied write would break: known statuses, unique
// IDs, and at most one unfinished job per source.
func durCheckLegal(t *testing.T, dump map[string]any) {
	t.Helper()
	legal := map[string]bool{"Ready": true, "Running": true, "Stopped": true, "InError": true,
		"Finished": true, "Waiting": true, "Expired": true, "Deleting": true}
	seen, perSource := map[string]bool{}, map[string]int{}
	list, _ := dump["replicationJobs"].([]any)
	for _, it := range list {
		j, _ := it.(map[string]any)
		id, status := fmt.Sprint(j["JobId"]), fmt.Sprint(j["Status"])
		if seen[id] || !legal[status] {
			t.Errorf("job %s: duplicate or illegal status %q", id, status)
		}
		seen[id] = true
		if status != "Finished" && status != "Deleting" {
			perSource[fmt.Sprint(j["SourceId"])]++
		}
	}
	for src, n := range perSource {
		if n > 1 {
			t.Errorf("source %s has %d unfinished jobs", src, n)
		}
	}
}

// TestExportLoadsBackAsFixtures: GET /_smcct/export of a server with acknowledged writes,
// fed to a fresh server as --fixtures, yields the same state and the same credentials.
func TestExportLoadsBackAsFixtures(t *testing.T) {
	bin, fx := smcctBinary(t), durableFixtures(t, 8)
	p := startServe(t, bin, "--fixtures", fx, "--clock", "virtual")
	ctx := context.Background()
	a := newDurAcks()
	durSMCWriter(ctx, p.client(t), []int{0, 1, 2, 3}, a)
	durEBSWriter(ctx, p.client(t), 2, a)
	if len(a.started) != 4 || len(a.groups) != 2 {
		t.Fatalf("setup: %d jobs started, %d groups; want 4 and 2", len(a.started), len(a.groups))
	}
	want := durState(t, p.url())
	resp, err := http.Get(p.url() + "/_smcct/export")
	if err != nil {
		t.Fatal(err)
	}
	export, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("export: %d %v", resp.StatusCode, err)
	}
	path := filepath.Join(t.TempDir(), "export.yaml")
	if err := os.WriteFile(path, export, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := p.stop(t, syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v; stderr %s", err, p.stderr)
	}
	loaded := startServe(t, bin, "--fixtures", path, "--clock", "virtual")
	got := durState(t, loaded.url())
	if !reflect.DeepEqual(got, want) {
		gb, _ := json.MarshalIndent(got, "", " ")
		wb, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("state loaded from the export differs:\n got %s\nwant %s", gb, wb)
	}
	if _, err := loaded.client(t).Call(ctx, "2019-06-01", "DescribeReplicationJobs", nil); err != nil {
		t.Fatalf("the exported credentials do not sign: %v", err)
	}
}
