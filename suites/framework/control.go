package framework

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/smcct/smcct/guard"
	"github.com/smcct/smcct/spec"
)

// Control is a client for the reference's control plane (/_smcct/). Accounts are named by
// account ID or AccessKeyId; "" means the default account.
type Control struct {
	base  string
	http  *http.Client
	token string // guard.TokenHeader, when the reference wants one
}

// ControlError is a 4xx/5xx answer of the control plane.
type ControlError struct {
	Status  int
	Message string
}

func (e *ControlError) Error() string {
	return fmt.Sprintf("control plane: %d %s", e.Status, e.Message)
}

var errNotControl = errors.New("the endpoint has no smcct control plane")

// Control returns the control-plane client of the target. Specs should call it through
// F.Control, which skips them when the target has no control plane.
func (t *Target) Control() *Control {
	return &Control{base: t.Endpoint + "/_smcct", http: t.HTTP, token: t.controlToken}
}

// Clock is the answer of GET /_smcct/clock.
type Clock struct {
	Now     time.Time `json:"now"`
	Virtual bool      `json:"virtual"`
}

func (c *Control) clock(ctx context.Context) (Clock, error) {
	var out Clock
	err := c.do(ctx, http.MethodGet, "/clock", nil, nil, &out)
	if err == nil && out.Now.IsZero() {
		return out, errNotControl
	}
	return out, err
}

// Now returns the reference's business time.
func (c *Control) Now(ctx context.Context) (time.Time, error) {
	cl, err := c.clock(ctx)
	return cl.Now, err
}

// Advance moves business time forward and returns the new time.
func (c *Control) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	var out Clock
	err := c.do(ctx, http.MethodPost, "/clock/advance", url.Values{"by": {d.String()}}, nil, &out)
	return out.Now, err
}

// Reset puts the reference back to its fixtures. Specs never call it: it would pull the
// objects from under specs running alongside. Deviation tests and the CLI may.
func (c *Control) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/reset", nil, nil, nil)
}

// State returns an account's objects by kind list ("replicationJobs", ...).
func (c *Control) State(ctx context.Context, account string) (map[string][]map[string]any, error) {
	var out map[string]json.RawMessage
	if err := c.do(ctx, http.MethodGet, "/state", accountQuery(account), nil, &out); err != nil {
		return nil, err
	}
	state := map[string][]map[string]any{}
	for kind, raw := range out {
		var list []map[string]any
		if json.Unmarshal(raw, &list) == nil { // non-list entries (clock, counters) are not objects
			state[kind] = list
		}
	}
	return state, nil
}

// Seed adds or replaces objects, in the GET /state shape.
func (c *Control) Seed(ctx context.Context, account string, objects map[string][]map[string]any) error {
	return c.do(ctx, http.MethodPost, "/seed", accountQuery(account), objects, nil)
}

// Force sets state fields of one object, bypassing every rule.
func (c *Control) Force(ctx context.Context, account, id string, fields map[string]string) error {
	return c.do(ctx, http.MethodPut, "/objects/"+url.PathEscape(id)+"/state", accountQuery(account), fields, nil)
}

// Fault is an error or delay the reference injects into one action.
type Fault struct {
	Action      string  `json:"action"`
	Code        string  `json:"code,omitempty"`
	Status      int     `json:"status,omitempty"`
	Message     string  `json:"message,omitempty"`
	Latency     string  `json:"latency,omitempty"`
	Probability float64 `json:"probability,omitempty"`
	Count       int     `json:"count,omitempty"`
}

// AddFault installs a fault and returns its ID.
func (c *Control) AddFault(ctx context.Context, f Fault) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, http.MethodPost, "/faults", nil, f, &out)
	return out.ID, err
}

// ClearFaults removes every fault.
func (c *Control) ClearFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/faults", nil, nil, nil)
}

// Violations returns the requests the reference saw breaking the contract.
func (c *Control) Violations(ctx context.Context) (spec.BreachReport, error) {
	var out spec.BreachReport
	err := c.do(ctx, http.MethodGet, "/violations", nil, nil, &out)
	return out, err
}

// authorize adds the control token, if there is one.
func (c *Control) authorize(req *http.Request) {
	if c.token != "" {
		req.Header.Set(guard.TokenHeader, c.token)
	}
}

func accountQuery(account string) url.Values {
	if account == "" {
		return nil
	}
	return url.Values{"account": {account}}
}

func (c *Control) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.authorize(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			return fmt.Errorf("%w (%d)", errNotControl, resp.StatusCode)
		}
		return &ControlError{Status: resp.StatusCode, Message: e.Error}
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	return json.Unmarshal(data, out)
}

// Account is a whole account for AddAccount: its ID, one AccessKey pair and its objects in
// the GET /state shape.
type Account struct {
	ID    string
	Key   Credentials
	State map[string][]map[string]any
}

// AddAccount creates (or extends) an account with its key and objects. Specs that count
// things account-wide (quotas, unique names) give themselves an account of their own, so
// that nothing another spec created can change the count.
func (c *Control) AddAccount(ctx context.Context, a Account) error {
	state := a.State
	if state == nil {
		state = map[string][]map[string]any{}
	}
	// The fixtures format is YAML; JSON is YAML, and it keeps the encoding in one library.
	body, err := json.Marshal(map[string]any{"accounts": []any{map[string]any{
		"id": a.ID, "name": a.ID, "state": state,
		"accessKeys": []any{map[string]string{"id": a.Key.AccessKeyID, "secret": a.Key.Secret}},
	}}})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/seed", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/yaml")
	c.authorize(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return &ControlError{Status: resp.StatusCode, Message: string(bytes.TrimSpace(data))}
	}
	return nil
}
