package cases

import (
	"fmt"
	"net/url"

	"github.com/smcct/smcct/spec"
)

// The error classes an envelope case provokes.
const (
	EnvelopeMissing   = "a missing parameter"
	EnvelopeInvalid   = "an invalid parameter"
	EnvelopeNotFound  = "an unknown object"
	EnvelopeSignature = "a wrong signature"
	EnvelopeAction    = "an unknown action"
)

// EnvelopeCase is one generated spec about the error envelope: one error class of one
// product in one format, with every field the envelope must carry.
type EnvelopeCase struct {
	Product *spec.Product
	Class   string
	// Action is the action called (nil for an unknown action) with Params, less the common
	// parameters in Drop.
	Action *spec.Action
	Name   string
	Params url.Values
	Drop   []string
	// Expect is the error the class earns; CheckMessage when its message has no holes.
	Expect       spec.ErrorCode
	CheckMessage bool
	XML          bool
}

// EnvelopeCases generates, per product, one case per error class and format. Each class
// is provoked by the first action (in name order) that can provoke it without changing
// anything on the target.
func EnvelopeCases(c *spec.Catalog) []EnvelopeCase {
	var out []EnvelopeCase
	for _, p := range c.Products() {
		var classes []EnvelopeCase
		if v, ok := firstValidation(p, "required"); ok {
			classes = append(classes, EnvelopeCase{Class: EnvelopeMissing, Action: v.Action, Params: v.Params, Drop: v.Drop, Expect: v.Expect})
		}
		if v, ok := firstValidation(p, "enum"); ok {
			classes = append(classes, EnvelopeCase{Class: EnvelopeInvalid, Action: v.Action, Params: v.Params, Drop: v.Drop, Expect: v.Expect})
		}
		if a, e, ok := firstNotFound(p); ok {
			base, _ := Baseline(a)
			classes = append(classes, EnvelopeCase{Class: EnvelopeNotFound, Action: a, Params: Query(a, base), Expect: e})
		}
		if a := firstRead(p); a != nil {
			base, _ := Baseline(a)
			classes = append(classes,
				EnvelopeCase{Class: EnvelopeSignature, Action: a, Params: Query(a, base), Expect: c.Gateway.Error("SignatureDoesNotMatch")},
				EnvelopeCase{Class: EnvelopeAction, Name: "DescribeSmcctNothing", Expect: c.Gateway.Error("InvalidAction.NotFound")})
		}
		for _, k := range classes {
			k.Product, k.CheckMessage = p, !k.Expect.HasHoles()
			out = append(out, k)
			k.XML = true
			out = append(out, k)
		}
	}
	return out
}

// firstValidation is the first refusal of a rule by a read, or by any action when no read
// has one: a refused call changes nothing either way.
func firstValidation(p *spec.Product, rule string) (ValidationCase, bool) {
	var fallback *ValidationCase
	for _, a := range p.Actions() {
		for _, v := range ValidationCases(a) {
			if v.Pass || v.Rule != rule || len(v.Drop) > 0 || v.Expect.HasHoles() {
				continue
			}
			if !a.Write {
				return v, true
			}
			if fallback == nil {
				v := v
				fallback = &v
			}
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return ValidationCase{}, false
}

// firstNotFound is the first action whose required IDs all name one kind, with that kind's
// not-found error.
func firstNotFound(p *spec.Product) (*spec.Action, spec.ErrorCode, bool) {
	for _, a := range p.Actions() {
		code := ""
		for _, prm := range a.Params {
			if o, ok := IDKind(a, prm.Name); ok && prm.Required {
				if code != "" && code != o.NotFound {
					code = "-"
				}
				if code == "" {
					code = o.NotFound
				}
			}
		}
		if code == "" || code == "-" {
			continue
		}
		if e, ok := a.Error(code); ok {
			if _, ok := Baseline(a); ok {
				return a, e, true
			}
		}
	}
	return nil, spec.ErrorCode{}, false
}

func firstRead(p *spec.Product) *spec.Action {
	for _, a := range p.Actions() {
		if _, ok := Baseline(a); ok && !a.Write {
			return a
		}
	}
	return nil
}

// Describe names the case in the spec text.
func (c EnvelopeCase) Describe() string {
	format := "JSON"
	if c.XML {
		format = "XML"
	}
	return fmt.Sprintf("%s answers %s with a %s error envelope carrying RequestId, its HostId, Code %s, Message and Recommend", c.Product.Name, c.Class, format, c.Expect.Code)
}

// Labels are the spec's labels.
func (c EnvelopeCase) Labels() []string {
	l := []string{"protocol", "envelope", "error", "code:" + c.Expect.Code}
	if c.Action != nil {
		l = append(l, "action:"+c.Action.Name)
	}
	return l
}
