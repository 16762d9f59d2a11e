package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/smcct/smcct/loadgen"
	"github.com/smcct/smcct/recorder"
)

// The replay group: how long `smcct replay` takes from its start to its first answer on a
// large cassette, and its peak memory, against go-vcr's own cassette.Load of the same file.

// writeBigCassette copies the interactions of the cassettes under src until there are n,
// each copy's URL marked so that every interaction is its own call, and saves them with
// go-vcr's writer, as a recording would.
func writeBigCassette(src, dir string, n int) (string, error) {
	files, err := yamlFiles(src)
	if err != nil {
		return "", err
	}
	var inters []*cassette.Interaction
	for _, f := range files {
		if len(inters) >= n {
			break // enough to copy from
		}
		c, err := cassette.Load(strings.TrimSuffix(f, ".yaml"))
		if err != nil {
			return "", fmt.Errorf("%s: %w", f, err)
		}
		inters = append(inters, c.Interactions...)
	}
	if len(inters) == 0 {
		return "", fmt.Errorf("no interactions under %s", src)
	}
	name := filepath.Join(dir, fmt.Sprintf("replay-%d", n))
	out := cassette.New(name)
	for i := range n {
		in := *inters[i%len(inters)]
		if copyN := i / len(inters); copyN > 0 {
			sep := "?"
			if strings.Contains(in.Request.URL, "?") {
				sep = "&"
			}
			in.Request.URL += sep + "Copy=" + strconv.Itoa(copyN)
		}
		out.AddInteraction(&in)
	}
	return out.File, out.Save()
}

func yamlFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			files = append(files, p)
		}
		return err
	})
	return files, err
}

// replayFigures are one start of `smcct replay`.
type replayFigures struct {
	ready   time.Duration // from exec to the first answer
	cpu     time.Duration // the child's CPU until then
	peakRSS int64         // bytes
}

// measureReplay starts exe's replay on path and times it to the first answer.
func measureReplay(exe, path string) (replayFigures, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "replay", "--cassette", path, "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return replayFigures{}, err
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return replayFigures{}, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	addr := ""
	for addr == "" && sc.Scan() {
		if _, a, ok := strings.Cut(sc.Text(), " on http://"); ok && strings.HasPrefix(sc.Text(), "replaying ") {
			addr = a
		}
	}
	if addr == "" {
		return replayFigures{}, fmt.Errorf("smcct replay printed no address (%v)", sc.Err())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	resp, err := http.Get("http://" + addr + "/?Action=DescribeSourceServers&Version=2019-06-01")
	if err != nil {
		return replayFigures{}, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	f := replayFigures{ready: time.Since(t0)}
	f.cpu, f.peakRSS, err = procFigures(cmd.Process.Pid)
	return f, err
}

// procFigures reads a live child's CPU time and peak resident memory from /proc.
func procFigures(pid int) (time.Duration, int64, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("the replay group reads /proc (Linux only): %w", err)
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	cpu := time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return cpu, 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return cpu, kb << 10, nil
		}
	}
	return cpu, 0, nil
}

// benchReplay writes the cassette, times `smcct replay` on it o.rounds times, and times
// go-vcr's cassette.Load on the same file in this process as the baseline.
func benchReplay(out io.Writer, dir string, o benchOptions) error {
	path, err := writeBigCassette(o.replaySource, dir, o.replayN)
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	size := st.Size()
	fmt.Fprintf(out, "\nreplay: smcct replay of %d interactions (%.0f MB, copied from %s), start to first answer\n",
		o.replayN, float64(size)/(1<<20), o.replaySource)
	exe := o.replayExe
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return err
		}
	}
	var ready, cpus []float64
	for range o.rounds {
		f, err := measureReplay(exe, path)
		if err != nil {
			return err
		}
		ready, cpus = append(ready, f.ready.Seconds()), append(cpus, f.cpu.Seconds())
		fmt.Fprintf(out, "  smcct replay: ready in %.2f s (cpu %.2f s), peak RSS %.0f MB = %.2f x the file\n",
			f.ready.Seconds(), f.cpu.Seconds(), float64(f.peakRSS)/(1<<20), float64(f.peakRSS)/float64(size))
	}
	if !o.replayBaseline {
		return nil
	}
	rec, err := recorder.Open(path, recorder.Replay, nil) // warms the page cache as replay had it
	if err != nil {
		return err
	}
	_ = rec.Stop()
	cpu0, t0 := loadgen.ProcessCPU(), time.Now()
	c, err := cassette.Load(strings.TrimSuffix(path, ".yaml"))
	wall, cpu := time.Since(t0), loadgen.ProcessCPU()-cpu0
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  go-vcr cassette.Load (in process, %d interactions): %.2f s (cpu %.2f s); smcct replay median ready %.2f s: ratio %.3f (cpu %.3f)\n",
		len(c.Interactions), wall.Seconds(), cpu.Seconds(), loadgen.Median(ready), loadgen.Median(ready)/wall.Seconds(), loadgen.Median(cpus)/cpu.Seconds())
	return nil
}
