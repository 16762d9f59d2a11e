package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium or Chrome binary: $SMCCT_CHROMIUM, else the usual names on
// PATH (Debian's package installs /usr/bin/chromium; .ci/run installs it).
func chromium() string {
	if p := os.Getenv("SMCCT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is one headless Chromium tab and the URLs it asked the network for.
type browser struct {
	ctx  context.Context
	mu   sync.Mutex
	urls []string
}

// newBrowser starts headless Chromium with a fresh profile, or skips the test with the
// reason when none is installed. The flags keep it from reaching out on its own (updates,
// sync, background fetches): on a closed network those make it stall.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromium()
	if path == "" {
		t.Skip("no Chromium found (install Debian's chromium package or set SMCCT_CHROMIUM): the HTML report is not checked in a browser")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1400, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	b := &browser{ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			b.mu.Lock()
			b.urls = append(b.urls, e.Request.URL)
			b.mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return b
}

// open loads a local file and waits for the matrix.
func (b *browser) open(t *testing.T, file string) {
	t.Helper()
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	b.urls = nil
	b.mu.Unlock()
	if err := chromedp.Do(b.ctx, chromedp.Navigate("file://"+abs), chromedp.WaitVisible(chromedp.CSS("body"))); err != nil {
		t.Fatalf("opening %s: %v", file, err)
	}
}

// requests returns every URL the page asked for besides the page itself.
func (b *browser) requests(page string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, u := range b.urls {
		if !strings.HasSuffix(u, filepath.ToSlash(page)) {
			out = append(out, u)
		}
	}
	return out
}

// eval runs a JavaScript expression and decodes its value.
func eval[T any](t *testing.T, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript predicate until it holds (the filter applies after a short
// pause in typing).
func (b *browser) waitFor(t *testing.T, js string) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("waiting for %s: %v", js, err)
	}
}

// screenshot saves the window (or with full, the whole page) as a PNG under
// testdata/screenshots, which git ignores, for a person to look at.
func (b *browser) screenshot(t *testing.T, name string, full bool) {
	t.Helper()
	shot := chromedp.CaptureScreenshot()
	if full {
		shot = chromedp.FullScreenshot(100)
	}
	buf, err := chromedp.Run(b.ctx, shot)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// click clicks the first element a CSS selector finds, once it is visible.
func (b *browser) click(t *testing.T, css string) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(css))); err != nil {
		t.Fatalf("clicking %s: %v", css, err)
	}
}

// typeInto types text into a field key by key, as a person would.
func (b *browser) typeInto(t *testing.T, css, text string) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS(css), text)); err != nil {
		t.Fatalf("typing into %s: %v", css, err)
	}
}

// scrollTo brings an element to the top of the window, below the sticky toolbar.
func (b *browser) scrollTo(t *testing.T, css string) {
	t.Helper()
	eval[bool](t, b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 120); return true })()`, css))
}
