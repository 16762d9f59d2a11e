package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"github.com/smcct/smcct/loadgen"
	"github.com/smcct/smcct/reference"
	"github.com/smcct/smcct/rpc"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The servers `smcct bench` measures, all in this process on loopback listeners.

const (
	benchKey    = "smcct"
	benchSecret = "smcct-secret"
	benchRegion = "cn-hangzhou"
	smcVersion  = "2019-06-01"
)

// benchServer is one listening server and how to stop it.
type benchServer struct {
	addr string
	hs   *http.Server
	ref  *reference.Server // nil for the bare baseline
}

func (s *benchServer) close() {
	_ = s.hs.Close()
	if s.ref != nil {
		_ = s.ref.Close()
	}
}

// listenBench serves h on a fresh loopback port with hs's settings.
func listenBench(h http.Handler, hs *http.Server) (*benchServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs.Handler = h
	go func() { _ = hs.Serve(ln) }()
	return &benchServer{addr: ln.Addr().String(), hs: hs}, nil
}

// serveConfig is what `smcct serve` would run with these arguments: the reference options
// and the http.Server settings (deadlines, budgets, one info-level log line per request).
// The log goes to io.Discard: formatting it is counted, a terminal is not.
func serveConfig(args ...string) (reference.Options, *http.Server, error) {
	var f serveFlags
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	serveFlagSet(fs, &f)
	if err := fs.Parse(append([]string{"--addr", "127.0.0.1:0"}, args...)); err != nil {
		return reference.Options{}, nil, err
	}
	quiet := &cobra.Command{}
	quiet.SetErr(io.Discard)
	opts, err := serveOptions(quiet, f)
	if err != nil {
		return opts, nil, err
	}
	return opts, httpServer(nil, f, opts.Logger), nil
}

// startReference runs a reference as `smcct serve` runs by default (real clock), with
// durable state in a fresh file under dir when durable is set.
func startReference(dir string, durable bool) (*benchServer, error) {
	var args []string
	if durable {
		f, err := os.CreateTemp(dir, "state-*.db")
		if err != nil {
			return nil, err
		}
		_ = f.Close()
		args = append(args, "--state", f.Name())
	}
	opts, hs, err := serveConfig(args...)
	if err != nil {
		return nil, err
	}
	ref, err := reference.New(opts)
	if err != nil {
		return nil, err
	}
	s, err := listenBench(ref, hs)
	if err != nil {
		_ = ref.Close()
		return nil, err
	}
	s.ref = ref
	return s, nil
}

// startBare is the baseline: net/http answering every request with the same bytes (body and
// headers) a reference answer carries, with no signature check, no state and no encoding.
func startBare(sample *rpc.Response) (*benchServer, error) {
	body := sample.Body
	ctype := sample.Header.Get("Content-Type")
	reqID := sample.Header.Get(rpc.HeaderRequestID)
	_, hs, err := serveConfig()
	if err != nil {
		return nil, err
	}
	return listenBench(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Content-Length", fmt.Sprint(len(body)))
		h.Set(rpc.HeaderRequestID, reqID)
		_, _ = w.Write(body)
	}), hs)
}

// call sends one signed request with the full client, for setup and checks.
func (s *benchServer) call(action string, params url.Values) (*rpc.Response, error) {
	c, err := rpc.NewClient(rpc.Config{Endpoint: "http://" + s.addr, AccessKeyID: benchKey,
		AccessKeySecret: benchSecret, RegionID: benchRegion, NoDecode: true})
	if err != nil {
		return nil, err
	}
	return c.Call(context.Background(), smcVersion, action, params)
}

// target measures signed calls of one action against s; params(i) varies the i-th call.
func (s *benchServer) target(name, action string, params func(i int) url.Values) (loadgen.Target, error) {
	signer, err := loadgen.NewSigner(s.addr, benchKey, benchSecret, benchRegion, rpc.V1)
	if err != nil {
		return loadgen.Target{}, err
	}
	return loadgen.Target{Name: name, Addr: s.addr, Requests: func(n int) ([][]byte, error) {
		return signer.Batch(n, smcVersion, action, params)
	}}, nil
}

// seedJobs adds n replication jobs to the default account through the control plane, in
// batches under its body limit. Each job has its own (unregistered) source, so no two jobs
// compete for one, and statuses cycle through the ones a settled account holds.
func (s *benchServer) seedJobs(n int) error {
	const batch = 2000
	statuses := []string{"Finished", "Ready", "Stopped", "InError", "Finished"}
	for from := 0; from < n; from += batch {
		jobs := make([]map[string]any, 0, batch)
		for i := from; i < min(n, from+batch); i++ {
			jobs = append(jobs, benchJob(i, statuses[i%len(statuses)]))
		}
		body, err := json.Marshal(map[string]any{"replicationJobs": jobs})
		if err != nil {
			return err
		}
		resp, err := http.Post("http://"+s.addr+reference.ControlPrefix+"seed", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("seeding jobs %d-%d: %s %s", from, from+len(jobs)-1, resp.Status, msg)
		}
	}
	return nil
}

// benchJob is a job the size of one CreateReplicationJob makes with a name, a description and
// a data disk (about 1 KB of JSON).
func benchJob(i int, status string) map[string]any {
	job := map[string]any{
		"JobId": fmt.Sprintf("j-bench%013d", i), "SourceId": fmt.Sprintf("s-bench%013d", i),
		"Name": fmt.Sprintf("bench-job-%06d", i), "Description": "replication job seeded by smcct bench",
		"RegionId": benchRegion, "Status": status, "TargetType": "Image", "RunOnce": true,
		"CreationTime": "2026-11-01T08:00:00Z", "ValidTime": "2027-11-01T08:00:00Z",
		"ImageName": fmt.Sprintf("bench-image-%06d", i), "SystemDiskSize": 40, "NetMode": 0,
		"VpcId": "vpc-bp1smcct0000000000001", "VSwitchId": "vsw-bp1smcct0000000000001",
		"SystemDiskParts": map[string]any{"SystemDiskPart": []map[string]any{
			{"Device": "0_0", "SizeBytes": 1073741824, "Block": true}}},
		"DataDisks": map[string]any{"DataDisk": []map[string]any{
			{"Index": 1, "Size": 100, "Parts": map[string]any{"Part": []map[string]any{
				{"Device": "1_0", "SizeBytes": 107374182400, "Block": true}}}}}},
		"Tags": map[string]any{"Tag": []map[string]any{{"Key": "team", "Value": "bench"}}},
	}
	if status == "Finished" {
		job["EndTime"] = "2026-11-02T08:00:00Z"
	}
	return job
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// benchDir is a scratch directory for durable state files.
func benchDir() (string, func(), error) {
	dir, err := os.MkdirTemp("", "smcct-bench-")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { _ = os.RemoveAll(filepath.Clean(dir)) }, nil
}
