package spec

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/rpc/flat"
)

// Input is a decoded request: each given parameter of the action, by name, as plain Go values
// (string, int64, float64, bool, []any, map[string]any; numbers inside a json-style value are
// json.Number so that large IDs stay exact). Schema defaults are not filled in.
type Input map[string]any

// Violation is one way a request breaks the contract, named by its wire parameter
// (DataDisk.2.Size) and the schema keyword it breaks (Rule), with the error the service
// answers for it. Warnings (unknown parameters) are reported but do not fail a request.
type Violation struct {
	Param   string `json:"param,omitempty"`
	Rule    string `json:"rule,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	Status  int    `json:"status,omitempty"`
	Warning bool   `json:"warning,omitempty"`
	// Detail says what is wrong for a person reading a report; it never repeats the value.
	Detail string `json:"detail"`
}

func (v Violation) Error() string {
	kind := "error"
	if v.Warning {
		kind = "warning"
	}
	return fmt.Sprintf("%s %s (%s): %s %d %s", kind, v.Param, v.Rule, v.Code, v.Status, v.Detail)
}

// Rules the decoder reports that are not schema keywords.
const (
	RuleUnknown  = "unknown"  // a parameter the action does not have (a warning)
	RuleRequires = "requires" // x-acs-requires: a parameter needed because of another's value
	RuleIndex    = "index"    // a list index that is malformed or leaves a gap
	RuleRepeated = "repeated" // a parameter sent more than once
	RuleShape    = "shape"    // a name that does not fit the parameter's structure
	RuleConflict = "conflict" // a list sent both bare and indexed
	RuleSize     = "size"     // beyond the decoder's limits
	RuleSchema   = "schema"   // the contract itself could not be applied (a bug in the document)
)

var problemRules = map[flat.ProblemKind]string{
	flat.WrongType: "type", flat.BadIndex: RuleIndex, flat.Gap: RuleIndex, flat.TooMany: "maxItems",
	flat.Repeated: RuleRepeated, flat.BadShape: RuleShape, flat.Conflict: RuleConflict, flat.TooLarge: RuleSize,
}

// Validate checks request parameters against the action; see Decode.
func (a *Action) Validate(params url.Values) []Violation {
	_, vs := a.Decode(params)
	return vs
}

// Decode turns request parameters into the action's Input and lists every violation:
// errors first, then warnings, each group sorted by wire name and rule. Common RPC
// parameters (Action, Signature, ...) are skipped unless the action declares them. params is
// never modified.
func (a *Action) Decode(params url.Values) (Input, []Violation) {
	return a.DecodeParams(flat.FromValues(params))
}

// DecodeParams is Decode over sorted parameters, as the gateway hands them on.
func (a *Action) DecodeParams(params flat.Params) (Input, []Violation) {
	params = a.withoutEmpty(params)
	obj, unknown, problems := a.Unflatten(params)
	var vs []Violation
	whole := false
	for _, p := range problems {
		vs = append(vs, a.problemViolation(p))
		whole = whole || p.Param == ""
	}
	if whole {
		// The request was refused as a whole before decoding: nothing else is meaningful.
		return Input(obj), vs
	}
	for _, v := range a.schemaViolations(obj) {
		if !shadowed(v, problems) {
			vs = append(vs, v)
		}
	}
	vs = append(vs, a.requirementViolations(params)...)
	for _, name := range unknown {
		vs = append(vs, a.unknownViolation(name))
	}
	return Input(obj), sortViolations(vs)
}

// withoutEmpty leaves out the parameters the action ignores when they are sent empty
// (EmptyIgnored). params is not modified; it is returned as is when nothing is left out.
func (a *Action) withoutEmpty(params flat.Params) flat.Params {
	if !a.IgnoreEmpty {
		return params
	}
	drop := 0
	for _, p := range params {
		if p.Value == "" && a.EmptyIgnored(p.Name) {
			drop++
		}
	}
	if drop == 0 {
		return params
	}
	out := make(flat.Params, 0, len(params)-drop)
	for _, p := range params {
		if p.Value != "" || !a.EmptyIgnored(p.Name) {
			out = append(out, p)
		}
	}
	return out
}

// FirstError returns the violation a service answers with: the first that is not a warning.
func FirstError(vs []Violation) (Violation, bool) {
	for _, v := range vs {
		if !v.Warning {
			return v, true
		}
	}
	return Violation{}, false
}

// Unflatten is the codec step of DecodeParams alone: the action's own parameters decoded
// by their shapes, with the names that fit none and the problems met, before any schema
// rule is applied.
func (a *Action) Unflatten(params flat.Params) (obj map[string]any, unknown []string, problems []flat.Problem) {
	return flat.DecodeParams(params, a.decoding, flat.DefaultLimits)
}

// isForeign reports a common parameter the gateway consumes and the action does not
// declare itself (RegionId often is declared): it is neither decoded nor unknown.
func (a *Action) isForeign(name string) bool { return a.decoding[name] == flat.Skip }

// codeFor picks the error a rule broken on a wire parameter answers: the parameter's
// x-acs-error-on override, else the product's gateway family (missing for an absent
// parameter, invalid for everything else).
func (a *Action) codeFor(wire, rule string) ErrorCode {
	return a.codeForRule(wire, rule, rule == "required" || rule == RuleRequires)
}

func (a *Action) codeForRule(wire, rule string, missing bool) ErrorCode {
	top, _, _ := strings.Cut(wire, ".")
	if prm, ok := a.params[top]; ok {
		if code, ok := prm.ErrorOn[rule]; ok {
			if e, ok := a.errors[code]; ok {
				e.Message = e.Format(wire)
				return e
			}
		}
	}
	if missing {
		return a.Product.Families.Missing.For(wire)
	}
	return a.Product.Families.Invalid.For(wire)
}

func violation(param, rule string, e ErrorCode, detail string) Violation {
	return Violation{Param: param, Rule: rule, Code: e.Code, Message: e.Message, Status: e.Status, Detail: detail}
}

func (a *Action) problemViolation(p flat.Problem) Violation {
	rule := problemRules[p.Kind]
	if p.Kind == flat.TooLarge {
		if e, ok := a.Product.Gateway.lookup("InvalidParameter.TooLarge"); ok {
			what := p.Detail
			if p.Param != "" {
				what = p.Param + ": " + p.Detail
			}
			e.Message = e.Format(what)
			return violation(p.Param, rule, e, p.Detail)
		}
	}
	return violation(p.Param, rule, a.codeFor(p.Param, rule), p.Detail)
}

func (a *Action) unknownViolation(name string) Violation {
	fam := a.Product.Families.Unknown
	if fam.Code == "" {
		fam = a.Product.Families.Invalid
	}
	v := violation(name, RuleUnknown, fam.For(name), "not a parameter of "+a.Name)
	v.Warning = true
	return v
}

// lookup finds a gateway error without panicking; a nil gateway has none.
func (g *Gateway) lookup(code string) (ErrorCode, bool) {
	if g == nil {
		return ErrorCode{}, false
	}
	e, ok := g.errors[code]
	return e, ok
}

// schemaViolations applies the request schema to the decoded object and maps every schema
// error back to a wire name and keyword.
func (a *Action) schemaViolations(obj map[string]any) []Violation {
	err := a.Request.VisitJSON(obj, openapi3.MultiErrors(), openapi3.VisitAsRequest())
	var vs []Violation
	for _, e := range flattenErrors(err, nil) {
		var se *openapi3.SchemaError
		if !errors.As(e, &se) {
			// Not about the request: the document could not be applied. Answer as the
			// service would to its own failure, and keep the cause for the report.
			ie, _ := a.Product.Gateway.lookup("InternalError")
			if ie.Code == "" {
				ie = ErrorCode{Code: "InternalError", Status: 500, Message: "internal error"}
			}
			vs = append(vs, violation("", RuleSchema, ie, e.Error()))
			continue
		}
		wire, inner := a.wireName(se.JSONPointer())
		detail := se.Reason
		if detail == "" {
			detail = "breaks the schema keyword " + se.SchemaField
		}
		// A field missing inside a json value is an invalid value, not a missing parameter.
		missing := se.SchemaField == "required" && inner == ""
		if inner != "" {
			detail = "at " + inner + ": " + detail
		}
		vs = append(vs, violation(wire, se.SchemaField, a.codeForRule(wire, se.SchemaField, missing), detail))
	}
	return vs
}

func flattenErrors(err error, out []error) []error {
	switch e := err.(type) {
	case nil:
	case openapi3.MultiError:
		for _, inner := range e {
			out = flattenErrors(inner, out)
		}
	default:
		out = append(out, err)
	}
	return out
}

// wireName turns a JSON pointer into the decoded object (0-based array indexes) into the wire
// name (1-based: DataDisk.2.Size). A json-style parameter is one value on the wire, so the
// pointer inside it is returned separately.
func (a *Action) wireName(ptr []string) (wire, inner string) {
	if len(ptr) == 0 {
		return "", ""
	}
	wire = ptr[0]
	prm, ok := a.params[wire]
	if !ok {
		return strings.Join(ptr, "."), ""
	}
	if prm.Style == StyleJSON {
		if len(ptr) > 1 {
			inner = "/" + strings.Join(ptr[1:], "/")
		}
		return wire, inner
	}
	s := prm.Schema
	for _, seg := range ptr[1:] {
		switch {
		case s != nil && s.Type.Is(openapi3.TypeArray):
			if i, err := strconv.Atoi(seg); err == nil {
				seg = strconv.Itoa(i + 1)
			}
			s = schemaOf(s.Items)
		case s != nil && s.Type.Is(openapi3.TypeObject):
			s = schemaOf(s.Properties[seg])
		default:
			s = nil
		}
		wire += "." + seg
	}
	return wire, ""
}

func schemaOf(ref *openapi3.SchemaRef) *openapi3.Schema {
	if ref == nil {
		return nil
	}
	return ref.Value
}

// shadowed drops a schema violation that only echoes a decoding problem: the same wire name
// (the bad value was left out), or a missing/null ancestor of a problem (a list with a gap
// is left out whole, a failed item is a nil placeholder).
func shadowed(v Violation, problems []flat.Problem) bool {
	for _, p := range problems {
		if p.Param == v.Param || strings.HasPrefix(v.Param, p.Param+".") {
			return true
		}
		if (v.Rule == "required" || v.Rule == "nullable") && strings.HasPrefix(p.Param, v.Param+".") {
			return true
		}
	}
	return false
}

// sortViolations orders errors before warnings, then by wire name (numerically by index) and
// rule, and drops exact repeats (two errors inside one json value may map to one name).
func sortViolations(vs []Violation) []Violation {
	slices.SortStableFunc(vs, func(x, y Violation) int {
		if x.Warning != y.Warning {
			if x.Warning {
				return 1
			}
			return -1
		}
		if c := flat.CompareNames(x.Param, y.Param); c != 0 {
			return c
		}
		return strings.Compare(x.Rule, y.Rule)
	})
	return slices.CompactFunc(vs, func(x, y Violation) bool {
		return x.Param == y.Param && x.Rule == y.Rule && x.Code == y.Code && x.Warning == y.Warning
	})
}
