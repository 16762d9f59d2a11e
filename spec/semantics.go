package spec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// What an accepted request does, as the contract annotates it (docs/spec-format.md,
// "Semantics"): where a read action's items are and how it pages, how each filter narrows
// them, what a write parameter sets, which token makes a write idempotent, and what a flag
// changes. Package cases generates specs from these; the reference must honour them.

// List is where a read action's items sit in its answer and how it pages (x-acs-list).
type List struct {
	// Items is the dotted path of the item array in the success body
	// (ReplicationJobs.ReplicationJob, ReplicaGroups).
	Items string `json:"items"`
	// Kind is the object kind listed; its idField names an item.
	Kind string `json:"kind,omitempty"`
	// Key names an item when the list holds no kind (a tag binding: ResourceId, TagKey).
	Key []string `json:"key,omitempty"`
	// Owner says which object an item of a kindless list belongs to: the item field naming
	// it, its kind, and the request parameters that say that kind (ResourceType).
	Owner *Owner `json:"owner,omitempty"`
	// Paging lists the styles the action pages in, if any.
	Paging []Paging `json:"paging,omitempty"`
}

// Owner is the object the items of a kindless list belong to.
type Owner struct {
	Field string            `json:"field"`
	Kind  string            `json:"kind"`
	With  map[string]string `json:"with,omitempty"`
}

// OwnerOf says which object each item belongs to: the kind's ID field for a list of
// objects, the owner's field for a kindless list.
func (l *List) OwnerOf() (kind, field string, with map[string]string) {
	if l.Owner != nil {
		return l.Owner.Kind, l.Owner.Field, l.Owner.With
	}
	return l.Kind, "", nil
}

// The paging styles of x-acs-list.
const (
	PagesStyle = "pages" // numbered pages of a given size, with a total count
	TokenStyle = "token" // an opaque token to the next page, empty or absent after the last
)

// Paging is one way a list is cut into pages.
type Paging struct {
	Style string `json:"style"`
	// Number and Size are the request parameters of numbered pages; Size also limits a
	// token page (MaxResults).
	Number string `json:"number,omitempty"`
	Size   string `json:"size,omitempty"`
	// Total is the response field counting every match (pages only).
	Total string `json:"total,omitempty"`
	// Token is both the request parameter and the response field of token pages.
	Token string `json:"token,omitempty"`
	// Echo are response fields that repeat the request's value of the parameter of the same
	// name, or its default when absent.
	Echo []string `json:"echo,omitempty"`
	// Fixed is how many items a token page holds when the action takes no size parameter
	// (our choice where the docs give none, recorded in x-acs-choices): a walk needs more
	// than one page of items to see the token followed.
	Fixed int `json:"fixed,omitempty"`
}

// FixedPage is the page size of a token list that takes no size parameter, 0 if none.
func (l *List) FixedPage() int {
	for _, pg := range l.Paging {
		if pg.Style == TokenStyle && pg.Size == "" && pg.Fixed > 0 {
			return pg.Fixed
		}
	}
	return 0
}

// The matches of x-acs-filter.
const (
	MatchEquals     = "equals"     // the item's field equals the value
	MatchAnyOf      = "anyOf"      // a Name.N list: the field equals one of the values
	MatchCSV        = "csv"        // comma-separated IDs in one value: the field is one of them
	MatchTags       = "tags"       // Tag.N.Key/Value: the item carries every given tag
	MatchMembership = "membership" // the item does not show the property: Members says who qualifies
)

// Filter says how a read action's parameter narrows its items (x-acs-filter).
type Filter struct {
	// Field is the dotted path in the item the value is compared with; for tags, the path of
	// the item's tag list.
	Field string `json:"field,omitempty"`
	Match string `json:"match,omitempty"` // default equals
	// TagKey and TagValue name the fields of one tag in the item's tag list.
	TagKey   string `json:"tagKey,omitempty"`
	TagValue string `json:"tagValue,omitempty"`
	// Empty "ignored": an empty value lists as if the parameter were absent.
	Empty string `json:"empty,omitempty"`
	// None is a value that selects the items whose field is empty ("-").
	None string `json:"none,omitempty"`
	// Kind is the object kind an ID filter names.
	Kind string `json:"kind,omitempty"`
	// Unknown is what a well-formed ID that names nothing earns: "empty" (an empty list, the
	// default) or a documented code.
	Unknown string `json:"unknown,omitempty"`
	// Vary says how a client makes two objects differ on the field.
	Vary *Vary `json:"vary,omitempty"`
	// Members, for a membership filter: per value, which object qualifies ("linked": the one
	// Vary.Link related to another object, "plain": the other).
	Members map[string]string `json:"members,omitempty"`
}

// Vary says how a client makes two objects differ on a filtered field. With nothing set:
// the objects differ already (an ID), or the kind's create action takes a parameter of the
// filter's name, else only seeding can (the control plane).
type Vary struct {
	// Create is the create action's parameter that sets the field; Values, when given, are
	// the values to create with (regions must exist).
	Create string   `json:"create,omitempty"`
	Values []string `json:"values,omitempty"`
	// With are further parameters the create or call needs (TargetType for InstanceId).
	With map[string]string `json:"with,omitempty"`
	// Call is an action called on one of the objects; Param, if set, is sent with distinct
	// values to both.
	Call  string `json:"call,omitempty"`
	Param string `json:"param,omitempty"`
	// Link is an action that relates one object to a new object of the action's kind
	// (AssociateSourceServers puts a source in a new workgroup).
	Link string `json:"link,omitempty"`
	// Mirror creates the second object in the opposite direction (EBS sites).
	Mirror bool `json:"mirror,omitempty"`
	// Natural: the objects differ without help (IDs, the source each job has).
	Natural bool `json:"natural,omitempty"`
	// Seed: only seeding sets the field, so the spec needs the control plane.
	Seed bool `json:"seed,omitempty"`
}

// RoundTrip says which field of the object's listed item shows what a write parameter
// sent (x-acs-roundtrip).
type RoundTrip struct {
	Field string `json:"field"`
	// Fields renames the request's fields inside a list of objects (Key -> TagKey,
	// Part -> Parts.Part); unnamed fields keep their names.
	Fields map[string]string `json:"fields,omitempty"`
	// Example is the value to send (wire text, or lists and objects of it); without it a
	// valid value is generated from the schema.
	Example any `json:"example,omitempty"`
	// With are other parameters the value needs (RunOnce=false for Frequency).
	With map[string]string `json:"with,omitempty"`
}

// Flag says what a boolean parameter's values do that can be observed (x-acs-flag).
type Flag struct {
	// Given is what the object needs before the call for the values to differ: "tagged"
	// (two tags), "related" (a related job), or a state name the framework can stage.
	Given string `json:"given,omitempty"`
	// Object names the object the call acts on when the action has no x-acs-object.
	Object *FlagObject `json:"object,omitempty"`
	// When maps each wire value to its outcome.
	When map[string]Outcome `json:"when"`
}

// FlagObject is the object an untyped action acts on: its kind, the parameter that names
// it and the parameters that say its kind on the wire.
type FlagObject struct {
	Kind  string            `json:"kind"`
	Param string            `json:"param"`
	With  map[string]string `json:"with,omitempty"`
}

// Outcome is what a call with one flag value does to its object.
type Outcome struct {
	Error   string   `json:"error,omitempty"`   // the call is refused with this code
	Deletes bool     `json:"deletes,omitempty"` // the object goes (Deleting, then gone)
	Swaps   []string `json:"swaps,omitempty"`   // two fields exchange their values
	Keeps   []string `json:"keeps,omitempty"`   // these fields keep their values
	Clears  string   `json:"clears,omitempty"`  // this list field is emptied
}

// Idempotency marks a request token that makes a write idempotent (x-acs-idempotency): a
// retry with the same token and parameters answers as the first call did and makes
// nothing new; with other parameters it answers Mismatch where the action documents that
// code, else again the first call's answer.
type Idempotency struct {
	Mismatch string `json:"mismatch,omitempty"`
}

// ItemsOf returns the list's items in a success body; ok is false when the path is absent.
func (l *List) ItemsOf(body map[string]any) ([]map[string]any, bool) {
	v, ok := Field(body, l.Items)
	if !ok {
		return nil, false
	}
	raw, ok := v.([]any)
	if !ok {
		return nil, v == nil
	}
	out := make([]map[string]any, 0, len(raw))
	for _, it := range raw {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, true
}

// Field returns the value at a dotted path in a decoded JSON object.
func Field(obj map[string]any, path string) (any, bool) {
	var cur any = obj
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// Lister is the read action that lists a kind and can be narrowed to given IDs.
func (p *Product) Lister(kind string) (*Action, *Param, bool) {
	for _, a := range p.Actions() {
		if a.List == nil || a.List.Kind != kind {
			continue
		}
		if prm := a.IDFilter(); prm != nil {
			return a, prm, true
		}
		if prm := a.idEquals(); prm != nil {
			return a, prm, true
		}
	}
	return nil, nil, false
}

// IDFilter is the parameter that narrows the list to given IDs of its kind, nil if none.
// For a kindless list it is the parameter that narrows to given owners.
func (a *Action) IDFilter() *Param {
	if a.List == nil {
		return nil
	}
	field := ""
	if a.List.Owner != nil {
		field = a.List.Owner.Field
	} else if o := a.Product.Objects[a.List.Kind]; o != nil {
		field = o.IDField
	}
	for _, prm := range a.Params {
		f := prm.Filter
		if f != nil && field != "" && f.Field == field && (f.Match == MatchAnyOf || f.Match == MatchCSV) {
			return prm
		}
	}
	return nil
}

// idEquals is a filter that names one object of the list's kind by ID (DrillId).
func (a *Action) idEquals() *Param {
	o := a.Product.Objects[a.List.Kind]
	for _, prm := range a.Params {
		if f := prm.Filter; f != nil && o != nil && f.Field == o.IDField && f.Match == MatchEquals {
			return prm
		}
	}
	return nil
}

// Creator is the action that creates objects of a kind: a write whose name starts with
// Create and ends with the kind, answering its ID.
func (p *Product) Creator(kind string) (*Action, bool) {
	o := p.Objects[kind]
	if o == nil {
		return nil, false
	}
	for _, a := range p.Actions() {
		if a.Write && strings.HasPrefix(a.Name, "Create") && strings.HasSuffix(a.Name, kind) && hasProperty(a.Response, o.IDField) {
			return a, true
		}
	}
	return nil, false
}

// ObjectKind is the kind a write acts on or creates: x-acs-object, else the one kind whose
// ID a Create action answers with.
func (a *Action) ObjectKind() string {
	if a.Object != "" {
		return a.Object
	}
	if !a.Write || !strings.HasPrefix(a.Name, "Create") {
		return ""
	}
	found := ""
	for kind, o := range a.Product.Objects {
		if hasProperty(a.Response, o.IDField) {
			if found != "" {
				return ""
			}
			found = kind
		}
	}
	return found
}

func hasProperty(s *openapi3.Schema, name string) bool {
	if s == nil {
		return false
	}
	if _, ok := s.Properties[name]; ok {
		return true
	}
	for _, sub := range s.AllOf {
		if sub.Value != nil && hasProperty(sub.Value, name) {
			return true
		}
	}
	return false
}

// schemaAt finds the schema at a dotted path inside an object schema (allOf included).
func schemaAt(s *openapi3.Schema, path string) (*openapi3.Schema, bool) {
	cur := s
	for _, part := range strings.Split(path, ".") {
		next, ok := propertyOf(cur, part)
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

func propertyOf(s *openapi3.Schema, name string) (*openapi3.Schema, bool) {
	if s == nil {
		return nil, false
	}
	if ref, ok := s.Properties[name]; ok && ref.Value != nil {
		return ref.Value, true
	}
	for _, sub := range s.AllOf {
		if v, ok := propertyOf(sub.Value, name); ok {
			return v, true
		}
	}
	return nil, false
}

// itemSchema is the schema of one item of a list action's answer.
func (a *Action) itemSchema() (*openapi3.Schema, error) {
	arr, ok := schemaAt(a.Response, a.List.Items)
	if !ok || !arr.Type.Is(openapi3.TypeArray) || arr.Items == nil || arr.Items.Value == nil {
		return nil, fmt.Errorf("x-acs-list items %q is not an array of the response", a.List.Items)
	}
	return arr.Items.Value, nil
}

// ItemSchema is the schema of one listed item; nil for an action that lists nothing.
func (a *Action) ItemSchema() *openapi3.Schema {
	if a.List == nil {
		return nil
	}
	s, _ := a.itemSchema()
	return s
}

// checkSemantics checks the semantic annotations of every action against the product once
// all actions are known: paths exist in the schemas, actions, kinds and codes exist.
func (p *Product) checkSemantics() error {
	var problems []string
	for _, a := range p.Actions() {
		for _, msg := range a.semanticProblems() {
			problems = append(problems, a.Name+": "+msg)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

func (a *Action) semanticProblems() []string {
	var out []string
	if a.List != nil {
		out = append(out, a.listProblems()...)
	}
	for _, prm := range a.Params {
		if _, ok := a.Product.Objects[prm.Names]; prm.Names != "" && !ok {
			out = append(out, "parameter "+prm.Name+" x-acs-names "+prm.Names+", which is not in x-acs-objects")
		}
		if prm.Filter != nil && a.List != nil {
			out = append(out, a.filterProblems(prm)...)
		}
		if prm.RoundTrip != nil && a.Write {
			out = append(out, a.roundTripProblems(prm)...)
		}
		if prm.Flag != nil && a.Write {
			out = append(out, a.flagProblems(prm)...)
		}
	}
	return out
}

func (a *Action) listProblems() []string {
	var out []string
	if a.Write {
		out = append(out, "x-acs-list on a write")
	}
	item, err := a.itemSchema()
	if err != nil {
		return append(out, err.Error())
	}
	if a.List.Kind != "" {
		o, ok := a.Product.Objects[a.List.Kind]
		if !ok {
			return append(out, "x-acs-list kind "+a.List.Kind+" is not in x-acs-objects")
		}
		if _, ok := propertyOf(item, o.IDField); !ok {
			out = append(out, "listed items lack "+o.IDField)
		}
	}
	for _, k := range a.List.Key {
		if _, ok := propertyOf(item, k); !ok {
			out = append(out, "x-acs-list key "+k+" is not an item field")
		}
	}
	if ow := a.List.Owner; ow != nil {
		if _, ok := a.Product.Objects[ow.Kind]; !ok {
			out = append(out, "x-acs-list owner kind "+ow.Kind+" is not in x-acs-objects")
		}
		if _, ok := propertyOf(item, ow.Field); !ok {
			out = append(out, "x-acs-list owner field "+ow.Field+" is not an item field")
		}
	}
	if a.List.Kind == "" && a.List.Owner == nil {
		out = append(out, "x-acs-list needs a kind or an owner")
	}
	for _, pg := range a.List.Paging {
		out = append(out, a.pagingProblems(pg)...)
	}
	return out
}

func (a *Action) pagingProblems(pg Paging) []string {
	var out []string
	needParam := func(name string) {
		if _, ok := a.Param(name); name != "" && !ok {
			out = append(out, "paging parameter "+name+" is not a parameter")
		}
	}
	needField := func(name string) {
		if name != "" && !hasProperty(a.Response, name) {
			out = append(out, "paging field "+name+" is not in the response")
		}
	}
	switch pg.Style {
	case PagesStyle:
		if pg.Number == "" || pg.Size == "" {
			out = append(out, "pages paging needs number and size")
		}
		if pg.Fixed != 0 {
			out = append(out, "pages paging has a size parameter, not fixed")
		}
		needParam(pg.Number)
		needParam(pg.Size)
		needField(pg.Total)
	case TokenStyle:
		if pg.Token == "" {
			out = append(out, "token paging needs token")
		}
		if pg.Fixed < 0 || (pg.Fixed > 0 && pg.Size != "") {
			out = append(out, "token paging: fixed is a positive size of a list without a size parameter")
		}
		needParam(pg.Token)
		needParam(pg.Size)
		needField(pg.Token)
	default:
		out = append(out, "paging style "+pg.Style+" is neither pages nor token")
	}
	for _, e := range pg.Echo {
		needParam(e)
		needField(e)
	}
	return out
}

func (a *Action) filterProblems(prm *Param) []string {
	f := prm.Filter
	var out []string
	bad := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("filter %s: ", prm.Name)+fmt.Sprintf(format, args...))
	}
	item, err := a.itemSchema()
	if err != nil {
		return nil
	}
	if !slices.Contains([]string{MatchEquals, MatchAnyOf, MatchCSV, MatchTags, MatchMembership}, f.Match) {
		bad("match %q is not one of the grammar's", f.Match)
	}
	switch {
	case f.Match == MatchTags && f.Field == "":
		// the items are tags themselves (tag bindings)
		for _, k := range []string{f.TagKey, f.TagValue} {
			if _, ok := propertyOf(item, k); !ok {
				bad("items have no tag field %q", k)
			}
		}
	case f.Match != MatchMembership:
		if _, ok := schemaAt(item, f.Field); !ok {
			bad("field %q is not in the listed item", f.Field)
		}
	case f.Vary == nil || f.Vary.Link == "" || len(f.Members) == 0:
		bad("a membership filter needs vary.link and members")
	}
	if f.Match == MatchTags && (f.TagKey == "" || f.TagValue == "") {
		bad("a tag filter names tagKey and tagValue")
	}
	if f.Match == MatchAnyOf && !prm.Schema.Type.Is(openapi3.TypeArray) {
		bad("anyOf needs a list parameter")
	}
	if f.Empty != "" && f.Empty != "ignored" {
		bad("empty %q: the grammar knows only ignored", f.Empty)
	}
	if f.Kind != "" {
		if _, ok := a.Product.Objects[f.Kind]; !ok {
			bad("kind %s is not in x-acs-objects", f.Kind)
		}
	}
	if f.Unknown != "" && f.Unknown != "empty" {
		if _, ok := a.Error(f.Unknown); !ok {
			bad("unknown answers %s, which x-acs-errors lacks", f.Unknown)
		}
	}
	if v := f.Vary; v != nil {
		out = append(out, a.varyProblems(prm, v)...)
	}
	return out
}

func (a *Action) varyProblems(prm *Param, v *Vary) []string {
	var out []string
	for _, name := range []string{v.Call, v.Link} {
		if name == "" {
			continue
		}
		if _, ok := a.Product.Action(name); !ok {
			out = append(out, fmt.Sprintf("filter %s: vary names %s, which is not an action", prm.Name, name))
		}
	}
	if v.Create != "" {
		c, ok := a.Product.Creator(a.List.Kind)
		if !ok {
			out = append(out, fmt.Sprintf("filter %s: vary.create, but %s has no create action", prm.Name, a.List.Kind))
		} else if _, ok := c.Param(v.Create); !ok {
			out = append(out, fmt.Sprintf("filter %s: %s has no parameter %s", prm.Name, c.Name, v.Create))
		}
	}
	return out
}

func (a *Action) roundTripProblems(prm *Param) []string {
	kind := a.ObjectKind()
	lister, _, ok := a.Product.Lister(kind)
	if !ok {
		return []string{fmt.Sprintf("round trip %s: no action lists %q by ID", prm.Name, kind)}
	}
	item, err := lister.itemSchema()
	if err != nil {
		return []string{err.Error()}
	}
	if _, ok := schemaAt(item, prm.RoundTrip.Field); !ok {
		return []string{fmt.Sprintf("round trip %s: %s items have no %s", prm.Name, lister.Name, prm.RoundTrip.Field)}
	}
	return nil
}

func (a *Action) flagProblems(prm *Param) []string {
	var out []string
	if !prm.Schema.Type.Is(openapi3.TypeBoolean) {
		out = append(out, "flag "+prm.Name+" is not a boolean")
	}
	if len(prm.Flag.When) < 2 {
		out = append(out, "flag "+prm.Name+" needs an outcome for both values")
	}
	for v, o := range prm.Flag.When {
		if v != "true" && v != "false" {
			out = append(out, fmt.Sprintf("flag %s: value %q is not a boolean's wire text", prm.Name, v))
		}
		if o.Error != "" {
			if _, ok := a.Error(o.Error); !ok {
				out = append(out, fmt.Sprintf("flag %s: %s is not in x-acs-errors", prm.Name, o.Error))
			}
		}
	}
	return out
}
