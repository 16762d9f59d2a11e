package reference

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// idempotentReplay answers a write that repeats an earlier ClientToken: with the first
// call's result when the parameters are the same, with IdempotentParameterMismatch when the
// action documents it and they differ. done is false when the call must run normally.
func idempotentReplay(c *Ctx) (result any, done bool, err error) {
	key, ok := tokenKey(c)
	if !ok {
		return nil, false, nil
	}
	rec, ok := c.Account.Idem[key]
	if !ok {
		return nil, false, nil
	}
	if rec.Params != canonicalInput(c.In) {
		if _, documented := c.Action.Error("IdempotentParameterMismatch"); documented {
			return nil, true, c.Err("IdempotentParameterMismatch")
		}
	}
	return rec.Result, true, nil
}

// rememberToken records a successful ClientToken write so that a retry gets the same answer.
func rememberToken(c *Ctx, result any) error {
	key, ok := tokenKey(c)
	if !ok {
		return nil
	}
	b, err := json.Marshal(result)
	if err != nil {
		return err
	}
	c.Account.Idem[key] = idemRecord{Params: canonicalInput(c.In), Result: b}
	return nil
}

func tokenKey(c *Ctx) (string, bool) {
	tok := c.Str("ClientToken")
	if !c.Action.Write || tok == "" {
		return "", false
	}
	return c.Action.Product.Name + "|" + c.Action.Name + "|" + tok, true
}

// canonicalInput renders decoded parameters in a stable order, ClientToken left out.
func canonicalInput(in map[string]any) string {
	keys := make([]string, 0, len(in))
	for k := range in {
		if k != "ClientToken" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		v, _ := json.Marshal(in[k])
		fmt.Fprintf(&b, "%s=%s;", k, v)
	}
	return b.String()
}
