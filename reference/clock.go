package reference

import (
	"sync"
	"time"
)

// Clock is the only source of time for business logic. Real mode follows the wall clock,
// optionally sped up; virtual mode stands still until advanced. Both can be pushed forward,
// which is how tests (and the control plane) make lifecycles happen without sleeping.
type Clock struct {
	mu        sync.Mutex
	virtual   bool
	scale     float64
	base      time.Time // business time at wallStart
	wallStart time.Time
	offset    time.Duration
	wall      func() time.Time
}

// NewVirtualClock returns a clock that stays at start until advanced.
func NewVirtualClock(start time.Time) *Clock {
	return &Clock{virtual: true, base: start.UTC(), scale: 1, wall: time.Now}
}

// NewRealClock returns a clock that moves with wall time, scale times faster.
func NewRealClock(scale float64) *Clock {
	if scale <= 0 {
		scale = 1
	}
	now := time.Now()
	return &Clock{scale: scale, base: now.UTC(), wallStart: now, wall: time.Now}
}

// Now returns the current business time, truncated to the second like the service's times.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	t := c.base.Add(c.offset)
	if !c.virtual {
		elapsed := c.wall().Sub(c.wallStart)
		t = t.Add(time.Duration(float64(elapsed) * c.scale))
	}
	return t.UTC().Truncate(time.Second)
}

// Advance moves business time forward by d (never backwards) and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.offset += d
	}
	return c.nowLocked()
}

// Virtual reports whether the clock moves only when told.
func (c *Clock) Virtual() bool { return c.virtual }

// restore sets a virtual clock to a saved time (durable state); real clocks ignore it.
func (c *Clock) restore(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.virtual && t.After(c.base.Add(c.offset)) {
		c.offset = t.Sub(c.base)
	}
}

// reset undoes every Advance: a virtual clock stands at its start again, a real one follows
// wall time (times its scale) from where it began.
func (c *Clock) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = 0
}
