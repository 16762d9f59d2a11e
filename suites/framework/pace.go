package framework

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"sync"
	"time"
)

// Pace is what a walker knows of a target's time: how many of the contract's seconds pass in
// one wall second (the time scale), and where its business clock stands. A profile may state
// the scale; otherwise it is measured once per process from the CreationTime two probe access
// tokens show, taken a few seconds apart. The clock's position is needed only to aim
// ScheduledStartTime and ValidTime, and is learnt the same way.
type Pace struct {
	mu sync.Mutex
	// scale is business seconds per wall second; 0 until known.
	scale  float64
	stated bool
	// at is a business time seen at wall time wall.
	at, wall time.Time
	how      string
}

// probeGap is the wall time between the two probes that measure a target's clock rate.
const probeGap = 2 * time.Second

// Scale returns the time scale, measuring it with c when nobody stated it.
func (p *Pace) Scale(ctx context.Context, c *Client, probe string) (float64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.scale > 0 {
		return p.scale, nil
	}
	first, w1, err := probeClock(ctx, c, probe)
	if err != nil {
		return 0, err
	}
	time.Sleep(probeGap)
	second, w2, err := probeClock(ctx, c, probe)
	if err != nil {
		return 0, err
	}
	rate := second.Sub(first).Seconds() / w2.Sub(w1).Seconds()
	// Business times have whole seconds: below 1.5 the clock is a wall clock.
	if rate < 1.5 {
		rate = 1
	}
	p.scale, p.at, p.wall = rate, second, w2
	p.how = fmt.Sprintf("measured from the target's clock (%.3g)", rate)
	return p.scale, nil
}

// Now estimates the target's business time.
func (p *Pace) Now(ctx context.Context, c *Client, probe string) (time.Time, error) {
	scale, err := p.Scale(ctx, c, probe)
	if err != nil {
		return time.Time{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.at.IsZero() {
		at, wall, err := probeClock(ctx, c, probe)
		if err != nil {
			return time.Time{}, err
		}
		p.at, p.wall = at, wall
	}
	elapsed := time.Since(p.wall).Seconds() * scale
	return p.at.Add(time.Duration(elapsed * float64(time.Second))), nil
}

// State says how the scale was learnt, for the run's header.
func (p *Pace) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.scale == 0:
		return "not yet measured"
	case p.how != "":
		return p.how
	}
	return fmt.Sprintf("%g", p.scale)
}

// State sets a known scale (a profile's timeScale, or 1 for a virtual clock moved by hand).
func (p *Pace) State(scale float64, how string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.scale, p.stated, p.how = scale, true, how
}

// Wall is the wall time d of the contract's time takes at scale s.
func Wall(d time.Duration, s float64) time.Duration {
	if s <= 0 {
		s = 1
	}
	return time.Duration(math.Ceil(float64(d) / s))
}

// probeClock creates an access token named with the run tag, reads its CreationTime and
// deletes it: the cheapest object that shows the target's business time.
func probeClock(ctx context.Context, c *Client, name string) (time.Time, time.Time, error) {
	create, list, del := MustAction("CreateAccessToken"), MustAction("ListAccessTokens"), MustAction("DeleteAccessToken")
	if create == nil || list == nil || del == nil {
		return time.Time{}, time.Time{}, fmt.Errorf("the contract lacks the access token actions the clock probe uses")
	}
	r, err := c.Call(ctx, create, url.Values{"Name": {name}, "TimeToLiveInDays": {"1"}})
	if err != nil || !r.OK() {
		return time.Time{}, time.Time{}, fmt.Errorf("clock probe: CreateAccessToken: %v", errText(r, err))
	}
	wall := time.Now()
	id := r.Str("AccessTokenId")
	defer func() { _, _ = c.Call(context.WithoutCancel(ctx), del, url.Values{"AccessTokenId": {id}}) }()
	l, err := c.Call(ctx, list, url.Values{"AccessTokenId": {id}})
	if err != nil || !l.OK() {
		return time.Time{}, time.Time{}, fmt.Errorf("clock probe: ListAccessTokens: %v", errText(l, err))
	}
	item, ok := FindByID(l.Response.Data, "AccessTokenId", id)
	if !ok {
		return time.Time{}, time.Time{}, fmt.Errorf("clock probe: ListAccessTokens does not show token %s", id)
	}
	at, err := time.Parse(time.RFC3339, str(item["CreationTime"]))
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("clock probe: CreationTime %v: %w", item["CreationTime"], err)
	}
	return at, wall, nil
}

func errText(r *Result, err error) string {
	switch {
	case err != nil:
		return err.Error()
	case r != nil && r.Err != nil:
		return r.Err.Error()
	case r != nil && r.Problem != "":
		return r.Problem
	}
	return "no answer"
}
