package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// ResponseError lists every way one response breaks the contract of its action.
type ResponseError struct {
	Action   string
	Status   int
	Problems []string
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("%s response (HTTP %d) breaks the contract: %s", e.Action, e.Status, strings.Join(e.Problems, "; "))
}

// CheckResponse checks a JSON response to the action: a 200 body against the action's
// response schema; a 4xx/5xx body against the error envelope, with a code the action
// documents, the gateway answers, or the product's parameter-error families produce, and
// the status documented for that code. It returns nil or a *ResponseError.
func (a *Action) CheckResponse(status int, body []byte) error {
	var problems []string
	switch {
	case status == http.StatusOK:
		problems = a.checkSuccess(body)
	case status >= 400 && status <= 599:
		problems = a.checkError(status, body)
	default:
		problems = []string{fmt.Sprintf("status %d is neither 200 nor an error status", status)}
	}
	if len(problems) == 0 {
		return nil
	}
	return &ResponseError{Action: a.Name, Status: status, Problems: problems}
}

func (a *Action) checkSuccess(body []byte) []string {
	v, err := decodeBody(body)
	if err != nil {
		return []string{err.Error()}
	}
	return schemaProblems(a.Response.VisitJSON(v, openapi3.MultiErrors(), openapi3.VisitAsResponse()))
}

func (a *Action) checkError(status int, body []byte) []string {
	v, err := decodeBody(body)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	if s := a.Product.errorSchema(); s != nil {
		problems = schemaProblems(s.VisitJSON(v, openapi3.MultiErrors(), openapi3.VisitAsResponse()))
	} else {
		problems = append(problems, "the document has no Error schema")
	}
	obj, _ := v.(map[string]any)
	code, _ := obj["Code"].(string)
	if code == "" {
		return problems
	}
	want := a.knownStatuses(code)
	switch {
	case len(want) == 0:
		problems = append(problems, fmt.Sprintf("code %s is not documented for %s, nor a gateway or parameter error", code, a.Name))
	case !slices.Contains(want, status):
		problems = append(problems, fmt.Sprintf("code %s is documented with status %v, got %d", code, want, status))
	}
	return problems
}

// knownStatuses lists the statuses a code may come with: from the action's own errors and
// the gateway's, else from the product's parameter-error families (MissingX, InvalidX) when
// X names a parameter of the action or a common one.
func (a *Action) knownStatuses(code string) []int {
	var out []int
	if e, ok := a.errors[code]; ok {
		out = append(out, e.Status)
	}
	if e, ok := a.Product.Gateway.lookup(code); ok {
		out = append(out, e.Status)
	}
	if len(out) > 0 {
		return out
	}
	f := a.Product.Families
	for _, fam := range []Family{f.Missing, f.Invalid, f.Unknown} {
		name, ok := fam.nameIn(code)
		if !ok {
			continue
		}
		top, _, _ := strings.Cut(name, ".")
		_, declared := a.params[top]
		common := a.Product.Gateway != nil && a.Product.Gateway.IsCommon(top)
		if name == "" || declared || common {
			out = append(out, fam.Status)
		}
	}
	return out
}

// nameIn returns the parameter name a family code carries ("" for a family without {Name}),
// and whether code belongs to the family at all.
func (f Family) nameIn(code string) (string, bool) {
	if f.Code == "" {
		return "", false
	}
	prefix, suffix, templated := strings.Cut(f.Code, "{Name}")
	if !templated {
		return "", code == f.Code
	}
	if len(code) <= len(prefix)+len(suffix) || !strings.HasPrefix(code, prefix) || !strings.HasSuffix(code, suffix) {
		return "", false
	}
	return code[len(prefix) : len(code)-len(suffix)], true
}

// errorSchema is the body schema of components/responses/Error, or components/schemas/Error.
func (p *Product) errorSchema() *openapi3.Schema {
	if c := p.Doc.Components; c != nil {
		if r := c.Responses["Error"]; r != nil && r.Value != nil {
			if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
				return mt.Schema.Value
			}
		}
		if s := c.Schemas["Error"]; s != nil && s.Value != nil {
			return s.Value
		}
	}
	return nil
}

func decodeBody(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("body is not JSON: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("body has data after the JSON value")
	}
	return v, nil
}

// schemaProblems renders schema errors as "/Path/To/Field: reason" lines.
// nestedSchemaErrors returns the schema errors an origin wraps, or nil when it wraps none.
func nestedSchemaErrors(origin error) error {
	var multi openapi3.MultiError
	if errors.As(origin, &multi) {
		return multi
	}
	var se *openapi3.SchemaError
	if errors.As(origin, &se) {
		return se
	}
	return nil
}

func schemaProblems(err error) []string {
	var out []string
	for _, e := range flattenErrors(err, nil) {
		se, ok := e.(*openapi3.SchemaError)
		if !ok {
			out = append(out, e.Error())
			continue
		}
		// allOf and its kin report "does not match" and keep the schema errors inside as
		// the origin: name those. (A format checker's origin is a plain error, kept below.)
		if inner := nestedSchemaErrors(se.Origin); inner != nil {
			out = append(out, schemaProblems(inner)...)
			continue
		}
		reason := se.Reason
		if reason == "" {
			reason = "breaks the schema keyword " + se.SchemaField
		}
		out = append(out, "/"+strings.Join(se.JSONPointer(), "/")+": "+reason)
	}
	return out
}
