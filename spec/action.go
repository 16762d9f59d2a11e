package spec

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/rpc/flat"
)

// pathExtensions is the action metadata carried on a path item (docs/spec-format.md).
type pathExtensions struct {
	Action        string         `json:"x-acs-action"`
	Operation     string         `json:"x-acs-operation"`
	Object        string         `json:"x-acs-object"`
	Preconditions []Precondition `json:"x-acs-preconditions"`
	Effects       []Effect       `json:"x-acs-effects"`
	Requires      []Requirement  `json:"x-acs-requires"`
	Errors        []ErrorCode    `json:"x-acs-errors"`
	IgnoreEmpty   bool           `json:"x-acs-ignore-empty"`
	RAM           *RAM           `json:"x-acs-ram"`
	List          *List          `json:"x-acs-list"`
}

func buildAction(p *Product, path string, item *openapi3.PathItem) (*Action, error) {
	var ext pathExtensions
	if err := remarshal(item.Extensions, &ext); err != nil {
		return nil, fmt.Errorf("extensions: %w", err)
	}
	post, get := item.Post, item.Get
	if post == nil || get == nil {
		return nil, fmt.Errorf("both get and post must be described")
	}
	if ext.Action == "" || post.OperationID != ext.Action || path != "/"+ext.Action {
		return nil, fmt.Errorf("x-acs-action %q, post operationId %q and path must agree", ext.Action, post.OperationID)
	}
	if ext.Operation != "read" && ext.Operation != "write" {
		return nil, fmt.Errorf("x-acs-operation must be read or write, not %q", ext.Operation)
	}
	a := &Action{
		Name: ext.Action, Product: p, Summary: post.Summary, Write: ext.Operation == "write",
		Object: ext.Object, Preconditions: ext.Preconditions, Effects: ext.Effects,
		Requires: ext.Requires, Errors: ext.Errors, IgnoreEmpty: ext.IgnoreEmpty, RAM: ext.RAM, List: ext.List,
		PathItem: item,
		params:   map[string]*Param{}, errors: map[string]ErrorCode{},
	}
	for _, e := range ext.Errors {
		if e.Code == "" || e.Status < 400 || e.Status > 599 {
			return nil, fmt.Errorf("error %+v needs a code and a 4xx/5xx status", e)
		}
		a.errors[e.Code] = e
	}
	if err := a.buildParams(item.Parameters); err != nil {
		return nil, err
	}
	if err := a.buildResponse(post); err != nil {
		return nil, err
	}
	return a, a.checkReferences()
}

func (a *Action) buildParams(params openapi3.Parameters) error {
	req := openapi3.NewObjectSchema()
	req.Properties = openapi3.Schemas{}
	for _, ref := range params {
		op := ref.Value
		if op == nil || op.Schema == nil || op.Schema.Value == nil {
			return fmt.Errorf("parameter without a schema")
		}
		if op.In != openapi3.ParameterInQuery {
			return fmt.Errorf("parameter %s: RPC parameters are in: query", op.Name)
		}
		prm := &Param{Name: op.Name, Required: op.Required, Schema: op.Schema.Value}
		var ext struct {
			Style       Style             `json:"x-acs-style"`
			ErrorOn     map[string]string `json:"x-acs-error-on"`
			Filter      *Filter           `json:"x-acs-filter"`
			RoundTrip   *RoundTrip        `json:"x-acs-roundtrip"`
			Flag        *Flag             `json:"x-acs-flag"`
			Idempotency *Idempotency      `json:"x-acs-idempotency"`
			Names       string            `json:"x-acs-names"`
		}
		if err := remarshal(op.Extensions, &ext); err != nil {
			return fmt.Errorf("parameter %s: %w", op.Name, err)
		}
		prm.Style, prm.ErrorOn = ext.Style, ext.ErrorOn
		prm.Filter, prm.RoundTrip, prm.Flag, prm.Idempotency = ext.Filter, ext.RoundTrip, ext.Flag, ext.Idempotency
		prm.Names = ext.Names
		if prm.Filter != nil && prm.Filter.Match == "" {
			prm.Filter.Match = MatchEquals
		}
		if prm.Filter != nil && a.IgnoreEmpty && !prm.Required && prm.Style == StyleScalar {
			prm.Filter.Empty = "ignored" // x-acs-ignore-empty says it for the whole action
		}
		shape, err := shapeOf(prm.Schema, prm.Style)
		if err != nil {
			return fmt.Errorf("parameter %s: %w", op.Name, err)
		}
		prm.Shape = shape
		a.Params = append(a.Params, prm)
		a.params[prm.Name] = prm
		req.Properties[prm.Name] = op.Schema
		if prm.Required {
			req.Required = append(req.Required, prm.Name)
		}
	}
	sort.Slice(a.Params, func(i, j int) bool { return a.Params[i].Name < a.Params[j].Name })
	sort.Strings(req.Required)
	a.Request = req
	a.shapes = a.Shapes()
	a.decoding = a.Shapes()
	if gw := a.Product.Gateway; gw != nil {
		for _, name := range gw.CommonParameters {
			if _, declared := a.params[name]; !declared {
				a.decoding[name] = flat.Skip
			}
		}
	}
	return nil
}

// shapeOf derives the flat codec shape from a parameter schema and its wire style.
func shapeOf(s *openapi3.Schema, style Style) (*flat.Shape, error) {
	if style == StyleJSON {
		return &flat.Shape{Kind: flat.JSON}, nil
	}
	return schemaShape(s, style, 0)
}

func schemaShape(s *openapi3.Schema, style Style, depth int) (*flat.Shape, error) {
	if depth > 8 {
		return nil, fmt.Errorf("schema nested deeper than 8 levels")
	}
	switch {
	case s.Type.Is(openapi3.TypeString):
		return &flat.Shape{Kind: flat.String}, nil
	case s.Type.Is(openapi3.TypeInteger):
		return &flat.Shape{Kind: flat.Integer}, nil
	case s.Type.Is(openapi3.TypeNumber):
		return &flat.Shape{Kind: flat.Number}, nil
	case s.Type.Is(openapi3.TypeBoolean):
		return &flat.Shape{Kind: flat.Boolean}, nil
	case s.Type.Is(openapi3.TypeArray):
		if depth == 0 && style != StyleRepeatList {
			return nil, fmt.Errorf("an array parameter needs x-acs-style: repeatList")
		}
		if s.Items == nil || s.Items.Value == nil {
			return nil, fmt.Errorf("array without items")
		}
		elem, err := schemaShape(s.Items.Value, style, depth+1)
		if err != nil {
			return nil, err
		}
		max := 0
		if s.MaxItems != nil {
			max = int(*s.MaxItems)
		}
		return &flat.Shape{Kind: flat.Array, Elem: elem, MaxItems: max}, nil
	case s.Type.Is(openapi3.TypeObject):
		if depth == 0 && style != StyleFlat {
			return nil, fmt.Errorf("an object parameter needs x-acs-style: flat or json")
		}
		fields := map[string]*flat.Shape{}
		for name, ref := range s.Properties {
			f, err := schemaShape(ref.Value, style, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			fields[name] = f
		}
		return &flat.Shape{Kind: flat.Object, Fields: fields}, nil
	}
	return nil, fmt.Errorf("schema without a supported type")
}

func (a *Action) buildResponse(op *openapi3.Operation) error {
	ok := op.Responses.Status(http.StatusOK)
	if ok == nil || ok.Value == nil {
		return fmt.Errorf("no 200 response")
	}
	mt := ok.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return fmt.Errorf("200 response has no application/json schema")
	}
	a.Response = mt.Schema.Value
	switch {
	case mt.Example != nil:
		a.Example = mt.Example
	case len(mt.Examples) > 0:
		names := make([]string, 0, len(mt.Examples))
		for n := range mt.Examples {
			names = append(names, n)
		}
		sort.Strings(names)
		if ex := mt.Examples[names[0]]; ex != nil && ex.Value != nil {
			a.Example = ex.Value.Value
		}
	}
	if a.Example == nil {
		return fmt.Errorf("200 response has no example")
	}
	return nil
}

// checkReferences makes sure every code and object the action names is defined.
func (a *Action) checkReferences() error {
	var problems []string
	need := func(code, where string) {
		if _, ok := a.errors[code]; !ok {
			problems = append(problems, fmt.Sprintf("%s names %s, which x-acs-errors lacks", where, code))
		}
	}
	kinds := map[string]bool{}
	if a.Object != "" {
		kinds[a.Object] = true
	}
	for _, pc := range a.Preconditions {
		if pc.Flag != "" {
			problems = append(problems, a.checkFlagPrecondition(pc)...)
			continue
		}
		need(pc.Error, "precondition on "+pc.Field)
		kind := pc.Kind(a)
		if kind == "" {
			problems = append(problems, "precondition on "+pc.Field+" has no object")
			continue
		}
		kinds[kind] = true
		if o, ok := a.Product.Objects[kind]; ok {
			if _, ok := o.States[pc.Field]; !ok {
				problems = append(problems, fmt.Sprintf("%s has no state field %s", kind, pc.Field))
			}
		}
	}
	for kind := range kinds {
		o, ok := a.Product.Objects[kind]
		if !ok {
			problems = append(problems, "unknown object kind "+kind)
			continue
		}
		need(o.NotFound, "object "+kind)
	}
	for _, p := range a.Params {
		for rule, code := range p.ErrorOn {
			need(code, "parameter "+p.Name+" rule "+rule)
		}
	}
	for _, r := range a.Requires {
		if r.Error != "" {
			need(r.Error, "requirement on "+r.If.Param)
		}
	}
	problems = append(problems, a.checkRAM()...)
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// checkFlagPrecondition checks a precondition on a lifecycle flag: no state field beside it,
// a flag the kind's lifecycle declares, values true or false, a listed code.
func (a *Action) checkFlagPrecondition(pc Precondition) []string {
	var problems []string
	where := "precondition on flag " + pc.Flag
	if _, ok := a.errors[pc.Error]; !ok {
		problems = append(problems, fmt.Sprintf("%s names %s, which x-acs-errors lacks", where, pc.Error))
	}
	if pc.Field != "" {
		problems = append(problems, where+" also names field "+pc.Field)
	}
	o := a.Product.Objects[pc.Kind(a)]
	if o == nil || o.Lifecycle == nil || o.Lifecycle.Flags[pc.Flag] == "" {
		problems = append(problems, where+": the kind's lifecycle declares no such flag")
	}
	for _, v := range pc.In {
		if v != "true" && v != "false" {
			problems = append(problems, fmt.Sprintf("%s: %q is not true or false", where, v))
		}
	}
	return problems
}
