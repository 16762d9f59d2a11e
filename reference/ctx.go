package reference

import (
	"fmt"
	"strconv"
	"time"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// Handler runs one action. It is called with the store lock held, after the request passed
// the gateway, the contract's parameter rules and its state preconditions. It returns the
// success body without RequestId (a struct or map) or an error; *rpc.Error values reach the
// client as they are, anything else becomes InternalError.
type Handler func(c *Ctx) (any, error)

// Ctx is what a handler sees of one call.
type Ctx struct {
	Action  *spec.Action
	In      map[string]any // decoded parameters (spec), defaults not filled in
	Account *Account
	Now     time.Time
	Regions []Region
	// Caller is who signed the request; nil for calls made inside the reference, which act
	// as the account itself.
	Caller *principal

	iam *identities
}

// Has reports whether the request carried the parameter.
func (c *Ctx) Has(name string) bool {
	_, ok := c.In[name]
	return ok
}

// Str returns a string parameter; when absent, the contract's default, else "".
func (c *Ctx) Str(name string) string {
	switch v := c.In[name].(type) {
	case string:
		return v
	case nil:
		d, _ := c.contractDefault(name)
		return d
	default:
		return fmt.Sprint(v)
	}
}

// Int returns an integer parameter. When absent it has the contract's default; def serves
// only parameters the contract gives none (the reference's own choice, e.g. RPO).
func (c *Ctx) Int(name string, def int64) int64 {
	switch v := c.In[name].(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	case string:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	if p, ok := c.Action.Param(name); ok {
		if n, ok := p.DefaultInt(); ok {
			return n
		}
	}
	return def
}

// Bool returns a boolean parameter. When absent it has the contract's default; def serves
// only parameters the contract gives none.
func (c *Ctx) Bool(name string, def bool) bool {
	if v, ok := c.In[name].(bool); ok {
		return v
	}
	if p, ok := c.Action.Param(name); ok {
		if b, ok := p.DefaultBool(); ok {
			return b
		}
	}
	return def
}

// contractDefault is the contract's default of a parameter of the action, as wire text.
func (c *Ctx) contractDefault(name string) (string, bool) {
	if c.Action == nil {
		return "", false
	}
	p, ok := c.Action.Param(name)
	if !ok {
		return "", false
	}
	return p.Default()
}

// Strs returns a list of strings (SourceId.N), nil when absent.
func (c *Ctx) Strs(name string) []string {
	items, _ := c.In[name].([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Objs returns a list of objects (DataDisk.N.*), nil when absent.
func (c *Ctx) Objs(name string) []map[string]any {
	return objs(c.In[name])
}

func objs(v any) []map[string]any {
	items, _ := v.([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Err returns the action's documented error with its template filled. Asking for a code the
// action does not document is a bug in the reference: it panics and the pipeline answers 500.
func (c *Ctx) Err(code string, args ...string) *rpc.Error {
	e, ok := c.Action.Error(code)
	if !ok {
		panic(fmt.Sprintf("reference: %s answered %s, which the spec does not list for it", c.Action.Name, code))
	}
	return rpc.NewError(e, args...)
}

// NotFound returns the unknown-ID error the spec names for a kind.
func (c *Ctx) NotFound(kind string) *rpc.Error {
	o, ok := c.Action.Product.Objects[kind]
	if !ok {
		panic("reference: no object kind " + kind)
	}
	return c.Err(o.NotFound)
}

// Region returns the fixture region with this ID.
func (c *Ctx) Region(id string) (Region, bool) {
	for _, r := range c.Regions {
		if r.RegionID == id {
			return r, true
		}
	}
	return Region{}, false
}
