package spec

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/rpc/flat"
)

// Style is how a parameter travels on the wire (x-acs-style).
type Style string

// The parameter encodings of docs/spec-format.md.
const (
	StyleScalar     Style = ""
	StyleRepeatList Style = "repeatList"
	StyleFlat       Style = "flat"
	StyleJSON       Style = "json"
)

// ErrorCode is one documented error: its code, HTTP status and message template (%s holes).
type ErrorCode struct {
	Code    string `json:"code" yaml:"code"`
	Status  int    `json:"status" yaml:"status"`
	Message string `json:"message" yaml:"message"`
}

// Format fills the message template's %s holes with args, leaving extra holes empty.
func (e ErrorCode) Format(args ...string) string {
	n := strings.Count(e.Message, "%s")
	vals := make([]any, n)
	for i := range vals {
		if i < len(args) {
			vals[i] = args[i]
		} else {
			vals[i] = ""
		}
	}
	if n == 0 {
		return e.Message
	}
	return fmt.Sprintf(e.Message, vals...)
}

// Family is a gateway code family entry: the code and message with a {Name} placeholder.
type Family struct {
	Code    string `json:"code"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// For returns the error for one wire parameter name.
func (f Family) For(name string) ErrorCode {
	return ErrorCode{
		Code:    strings.ReplaceAll(f.Code, "{Name}", name),
		Status:  f.Status,
		Message: strings.ReplaceAll(f.Message, "{Name}", name),
	}
}

// GatewayFamilies says which code family a product's gateway uses for parameter errors.
type GatewayFamilies struct {
	Missing Family `json:"missing"`
	Invalid Family `json:"invalid"`
	Unknown Family `json:"unknown"`
}

// Object is a stateful kind (x-acs-objects): how requests name it and which states it has.
type Object struct {
	Kind     string              `json:"-"`
	IDParam  string              `json:"idParam"`
	IDField  string              `json:"idField"`
	IDPrefix string              `json:"idPrefix"`
	States   map[string][]string `json:"states"`
	NotFound string              `json:"notFound"`
	// Lifecycle is how objects of the kind come to be and what time does to them.
	Lifecycle *Lifecycle `json:"lifecycle,omitempty"`
}

// Choice records a decision taken where the sources disagree or are silent.
type Choice struct {
	Topic  string `json:"topic" yaml:"topic"`
	Choice string `json:"choice" yaml:"choice"`
	Reason string `json:"reason" yaml:"reason"`
	// Covers are the differences from the official metadata the choice accounts for
	// (drift.go); a choice about behaviour alone has none.
	Covers []Cover `json:"covers,omitempty" yaml:"covers,omitempty"`
}

// Condition restricts a precondition or effect to requests whose parameter has one of the
// given wire values. An absent parameter has the value "" unless the schema gives a default.
type Condition struct {
	Param string   `json:"param"`
	In    []string `json:"in"`
}

// Precondition is a state an object must be in for the action to succeed.
type Precondition struct {
	Object string `json:"object"`
	Field  string `json:"field"`
	// Flag, instead of Field, names a history flag of the object's lifecycle (absent: false).
	Flag  string     `json:"flag,omitempty"`
	In    []string   `json:"in"`
	Error string     `json:"error"`
	Args  []string   `json:"args"`
	When  *Condition `json:"when,omitempty"`
}

// Effect is what a successful call does to the state of its object.
type Effect struct {
	When    *Condition        `json:"when,omitempty"`
	Set     map[string]string `json:"set,omitempty"`
	Via     []string          `json:"via,omitempty"`
	Settles map[string]string `json:"settles,omitempty"`
	Deletes bool              `json:"deletes,omitempty"`
}

// Requirement is a conditional rule between parameters that a schema cannot state.
type Requirement struct {
	If    Condition `json:"if"`
	Then  []string  `json:"then"`
	Error string    `json:"error,omitempty"`
}

// Param is one top-level request parameter of an action.
type Param struct {
	Name     string
	Style    Style
	Required bool
	Schema   *openapi3.Schema
	// ErrorOn maps a schema keyword to an action error code (x-acs-error-on).
	ErrorOn map[string]string
	// Shape tells the flat codec how to decode the parameter.
	Shape *flat.Shape
	// Semantics (docs/spec-format.md): how the parameter narrows a list, what it sets,
	// what a flag changes, whether it is an idempotency token. Nil when not annotated.
	Filter    *Filter
	RoundTrip *RoundTrip
	// Names is the object kind the parameter names when it is not that kind's idParam
	// (x-acs-names: a drill's GroupId names a ReplicaGroup).
	Names       string
	Flag        *Flag
	Idempotency *Idempotency
}

// DefaultAt is the schema default of a field inside the parameter, found by its field
// names; lists are stepped into on the way (DataDisk then Part then Block reads
// DataDisk.N.Part.N.Block). It is nil when the schema gives none or has no such field.
func (p *Param) DefaultAt(fields ...string) any {
	s := p.Schema
	for _, f := range fields {
		for s != nil && s.Type.Is(openapi3.TypeArray) {
			s = schemaOf(s.Items)
		}
		if s == nil {
			return nil
		}
		s = schemaOf(s.Properties[f])
	}
	if s == nil {
		return nil
	}
	return s.Default
}

// Action is one RPC action of one product, as the spec describes it.
type Action struct {
	Name          string
	Product       *Product
	Summary       string
	Write         bool
	Object        string
	Params        []*Param
	Preconditions []Precondition
	Effects       []Effect
	Requires      []Requirement
	Errors        []ErrorCode
	// IgnoreEmpty: an optional scalar parameter sent with an empty value counts as not sent
	// (x-acs-ignore-empty), as a Describe page says of its filters.
	IgnoreEmpty bool
	// RAM is how RAM authorizes the action; nil for a product without x-acs-authorization.
	RAM *RAM
	// List is where a read action's items are and how it pages (x-acs-list).
	List *List
	// Request is an object schema built from Params: what decoded parameters must satisfy.
	Request *openapi3.Schema
	// Response is the success body schema; Example validates against it.
	Response *openapi3.Schema
	Example  any
	PathItem *openapi3.PathItem

	params map[string]*Param
	errors map[string]ErrorCode
	shapes map[string]*flat.Shape // the decoder's view of params, built once at load
	// decoding is shapes plus flat.Skip for every common parameter the action does not
	// declare: what the decoder reads a request with.
	decoding map[string]*flat.Shape
}

// Param returns the top-level parameter with the given name.
func (a *Action) Param(name string) (*Param, bool) {
	p, ok := a.params[name]
	return p, ok
}

// Error returns the documented error with the given code.
func (a *Action) Error(code string) (ErrorCode, bool) {
	e, ok := a.errors[code]
	return e, ok
}

// EmptyIgnored reports whether the action reads a parameter sent with an empty value as not
// sent: an optional scalar of an action with x-acs-ignore-empty.
func (a *Action) EmptyIgnored(name string) bool {
	if !a.IgnoreEmpty {
		return false
	}
	p, ok := a.params[name]
	return ok && !p.Required && p.Style == StyleScalar
}

// Shapes returns the flat codec shapes of every parameter, keyed by name.
func (a *Action) Shapes() map[string]*flat.Shape {
	m := make(map[string]*flat.Shape, len(a.Params))
	for _, p := range a.Params {
		m[p.Name] = p.Shape
	}
	return m
}

// Product is one API product and version: smc 2019-06-01 or ebs 2021-07-30.
type Product struct {
	Name    string
	Version string
	Host    string
	// RegionalHost is the endpoint pattern of a product served per region
	// (x-acs-regional-host, "ebs.{RegionId}.aliyuncs.com"); "" when one endpoint serves all.
	RegionalHost string
	Families     GatewayFamilies
	// ListSeparator joins allowed states in message templates.
	ListSeparator string
	Objects       map[string]*Object
	Choices       []Choice
	// Authorization says which codes RAM denials and account conditions earn; nil when
	// the document does not model RAM.
	Authorization *Authorization
	Doc           *openapi3.T
	// Gateway is what sits in front of the product: common parameters and gateway codes.
	Gateway *Gateway
	// Source is the YAML text the document was loaded from.
	Source []byte

	actions map[string]*Action
	names   []string
}

// HostFor is the HostId of an answer to a request that names regionID: the regional
// endpoint when the product has them and regionID is shaped like a region ID (lower-case
// letters, digits and hyphens), else Host.
func (p *Product) HostFor(regionID string) string {
	if p.RegionalHost == "" || !regionShaped(regionID) {
		return p.Host
	}
	return strings.ReplaceAll(p.RegionalHost, "{RegionId}", regionID)
}

func regionShaped(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Action returns the named action of this product.
func (p *Product) Action(name string) (*Action, bool) {
	a, ok := p.actions[name]
	return a, ok
}

// Actions returns the product's actions sorted by name.
func (p *Product) Actions() []*Action {
	out := make([]*Action, len(p.names))
	for i, n := range p.names {
		out[i] = p.actions[n]
	}
	return out
}
