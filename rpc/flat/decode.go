package flat

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Limits bound the work one request can cause. The decoder allocates in proportion to the
// number of parameters only, never to an index value, so these are the whole memory budget.
type Limits struct {
	MaxParams   int // parameter values in the request, repeated ones counted each time
	MaxValueLen int // bytes in one value
	MaxIndex    int // the largest list index accepted where the shape gives no MaxItems
	MaxDepth    int // dots in one name (DataDisk.1.Part.2.SizeBytes has 4)
}

// DefaultLimits are generous for every documented action and small enough for a shared server.
var DefaultLimits = Limits{MaxParams: 1000, MaxValueLen: 64 << 10, MaxIndex: 1000, MaxDepth: 8}

// withDefaults fills zero fields so that a zero Limits means "the defaults", never "nothing".
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxParams > 0 {
		d.MaxParams = l.MaxParams
	}
	if l.MaxValueLen > 0 {
		d.MaxValueLen = l.MaxValueLen
	}
	if l.MaxIndex > 0 {
		d.MaxIndex = l.MaxIndex
	}
	if l.MaxDepth > 0 {
		d.MaxDepth = l.MaxDepth
	}
	return d
}

// node is one position of the tree the wire names describe, before coercion. Children form
// a list, searched linearly: wire lists and objects are short, and a node per name part
// taken from a slab costs no allocation of its own (a map or slice of children per node
// was most of the decoder's allocations). Nodes are kept small, since the collector
// scans the slab: the name is a suffix of wire, and children are pushed at the front.
type node struct {
	shape  *Shape
	wire   string
	value  string
	first  *node
	next   *node // the next child of the same parent
	idx    int   // the index, below a list
	kids   int32
	nameAt int32 // wire[nameAt:] is the field or parameter name
	given  bool  // value holds a wire value (which may be empty)
}

// name is the field name below an object or the parameter name at the root.
func (n *node) name() string { return n.wire[n.nameAt:] }

type decoder struct {
	lim      Limits
	root     node // children are the top-level parameters
	slab     []node
	chunk    int     // nodes per slab
	pooled   *[]node // the first slab, from slabs
	spilled  bool    // whether slab has moved past the pooled one
	unknown  []string
	problems []Problem
	reported map[string]bool // lists already reported as TooMany
	// The last top-level name seen, its shape and its node: a cache, as names come sorted.
	lastHead  string
	lastShape *Shape
	lastTop   *node
	steps     [16]step // room for walk's steps: names are rarely nested deeper
	dots      [17]int  // room for dotsOf's answer
}

// slabs recycles the first node slab between calls: no node outlives Decode (the result
// holds values and strings, never nodes), and a fresh slab per call was the largest
// allocation of a decode.
var slabs = sync.Pool{New: func() any { return new([]node) }}

func (d *decoder) takeSlab() {
	d.pooled = slabs.Get().(*[]node)
	if cap(*d.pooled) < d.chunk {
		*d.pooled = make([]node, 0, d.chunk)
	}
	d.slab = (*d.pooled)[:0]
}

// releaseSlab clears the used nodes, so that a pooled slab keeps no request's strings
// alive, and returns the slab to the pool.
func (d *decoder) releaseSlab() {
	used := d.slab
	if d.spilled { // the pooled slab was filled before the current one
		used = (*d.pooled)[:cap(*d.pooled)]
	}
	clear(used)
	slabs.Put(d.pooled)
}

// newNode adds a child to parent; wire ends with the child's name part. A full slab is
// replaced, never grown, so that the nodes already handed out keep their address.
func (d *decoder) newNode(parent *node, shape *Shape, wire, part string, idx int) *node {
	if len(d.slab) == cap(d.slab) {
		d.spilled = d.pooled != nil
		d.slab = make([]node, 0, d.chunk)
	}
	at := int32(len(wire) - len(part))
	d.slab = append(d.slab, node{shape: shape, wire: wire, idx: idx, nameAt: at, next: parent.first})
	c := &d.slab[len(d.slab)-1]
	parent.first = c
	parent.kids++
	return c
}

// Decode turns flat RPC parameters into plain Go values following shapes (keyed by top-level
// parameter name). Names that belong to no shape, or to no field of an object, are returned
// in unknown. Values that cannot be decoded are left out of obj and described in problems; an
// item that fails inside a list becomes nil so that the other items keep their wire index.
// unknown and problems are sorted by wire name.
func Decode(values url.Values, shapes map[string]*Shape, lim Limits) (obj map[string]any, unknown []string, problems []Problem) {
	return DecodeParams(FromValues(values), shapes, lim)
}

// DecodeParams is Decode over sorted Params. A name whose shape is Skip is left alone,
// neither decoded nor unknown: the gateway's common parameters travel with the action's
// own. Only the exact name is skipped; Name.1 or Name.Field is unknown.
func DecodeParams(params Params, shapes map[string]*Shape, lim Limits) (obj map[string]any, unknown []string, problems []Problem) {
	d := &decoder{lim: lim.withDefaults()}
	n := len(params)
	if n > d.lim.MaxParams {
		n = d.counted(params, shapes)
	}
	if n > d.lim.MaxParams {
		return map[string]any{}, nil, []Problem{{Kind: TooLarge, Detail: fmt.Sprintf("%d parameters, at most %d are accepted", n, d.lim.MaxParams)}}
	}
	// Most names have one or two parts: half as many nodes again as names fits most requests.
	d.chunk = min(n+n/2+4, 256)
	d.takeSlab()
	defer d.releaseSlab()
	for i := 0; i < len(params); {
		j := i + 1
		for j < len(params) && params[j].Name == params[i].Name {
			j++
		}
		d.add(params[i:j], shapes)
		i = j
	}
	obj = make(map[string]any, int(d.root.kids))
	for root := d.root.first; root != nil; root = root.next {
		if v, ok := d.finish(root); ok {
			obj[root.name()] = v
		}
	}
	slices.SortFunc(d.unknown, CompareNames)
	slices.SortStableFunc(d.problems, func(a, b Problem) int {
		if c := CompareNames(a.Param, b.Param); c != 0 {
			return c
		}
		return int(a.Kind) - int(b.Kind)
	})
	return obj, d.unknown, d.problems
}

// counted is the number of values the limit applies to: skipped names do not count.
func (d *decoder) counted(params Params, shapes map[string]*Shape) int {
	n := 0
	for _, p := range params {
		if head := headOf(p.Name); shapes[head] != Skip || head != p.Name {
			n++
		}
	}
	return n
}

// headOf is the top-level parameter a wire name belongs to.
func headOf(name string) string {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		return name[:i]
	}
	return name
}

func (d *decoder) problem(kind ProblemKind, param, format string, args ...any) {
	d.problems = append(d.problems, Problem{Kind: kind, Param: param, Detail: fmt.Sprintf(format, args...)})
}

// add places one wire name, sent once per pair of run, in the tree, or records why it
// cannot be placed.
func (d *decoder) add(run Params, shapes map[string]*Shape) {
	name := run[0].Name
	dots := d.dotsOf(name)
	head := name
	if len(dots) > 0 {
		head = name[:dots[0]]
	}
	// Names arrive sorted, so the names of one parameter mostly follow each other.
	shape := d.lastShape
	if head != d.lastHead || shape == nil {
		shape = shapes[head]
		d.lastHead, d.lastShape = head, shape
	}
	switch {
	case shape == Skip && name == head:
		return
	case shape == nil || shape == Skip:
		d.unknown = append(d.unknown, name)
		return
	case len(run) > 1:
		d.problem(Repeated, name, "given %d times", len(run))
		return
	case len(run[0].Value) > d.lim.MaxValueLen:
		d.problem(TooLarge, name, "value of %d bytes, at most %d are accepted", len(run[0].Value), d.lim.MaxValueLen)
		return
	case len(dots) > d.lim.MaxDepth:
		d.problem(TooLarge, name, "name nested more than %d levels", d.lim.MaxDepth)
		return
	}
	steps, ok := d.walk(shape, name, dots)
	if !ok {
		return
	}
	n := d.top(shape, head)
	start := len(head)
	for _, st := range steps {
		n = d.child(n, st, name, start)
		start = st.end
	}
	n.value, n.given = run[0].Value, true
}

// top returns the node of a top-level parameter, creating it on first use.
func (d *decoder) top(shape *Shape, head string) *node {
	if n := d.lastTop; n != nil && n.name() == head {
		return n
	}
	n := d.field(&d.root, head)
	if n == nil {
		n = d.newNode(&d.root, shape, head, head, 0)
	}
	d.lastTop = n
	return n
}

// dotsOf returns where name's dots are, stopping once there are more than the depth limit
// allows: one walk over the name gives its head, its depth and its parts.
func (d *decoder) dotsOf(name string) []int {
	dots := d.dots[:0]
	for i := 0; i < len(name); i++ {
		if name[i] == '.' {
			if dots = append(dots, i); len(dots) > d.lim.MaxDepth {
				break
			}
		}
	}
	return dots
}

// step is one part of a name after the head, vetted against the shape: the shape of the
// node it names, where the part ends in the name and, below a list, its index.
type step struct {
	shape *Shape
	end   int
	idx   int
}

// walk checks every part of a name against the shape before anything is built, so that a
// name that fails half way leaves no empty item or object behind, and returns the steps
// that building the nodes needs (one lookup per part, not two).
func (d *decoder) walk(shape *Shape, name string, dots []int) ([]step, bool) {
	steps := d.steps[:0]
	for k, pos := range dots {
		wire := name[:pos]
		end := len(name)
		if k+1 < len(dots) {
			end = dots[k+1]
		}
		part := name[pos+1 : end]
		if part == "" {
			d.problem(BadShape, name, "empty part in the name")
			return nil, false
		}
		idx := 0
		switch shape.Kind {
		case Array:
			if shape.Elem == nil {
				d.problem(BadShape, name, "%s has no item shape", wire)
				return nil, false
			}
			var ok bool
			if idx, ok = d.index(shape, wire, part, name); !ok {
				return nil, false
			}
			shape = shape.Elem
		case Object:
			if shape = shape.Fields[part]; shape == nil {
				d.unknown = append(d.unknown, name)
				return nil, false
			}
		default:
			if isDigits(part) {
				d.problem(BadShape, name, "%s is a single value, not a list", wire)
			} else {
				d.problem(BadShape, name, "%s is a single value and has no field %s", wire, part)
			}
			return nil, false
		}
		steps = append(steps, step{shape: shape, end: end, idx: idx})
	}
	return steps, true
}

// child returns the node that st names below n, creating it; name[start:st.end] is the
// dot and the part.
func (d *decoder) child(n *node, st step, name string, start int) *node {
	wire := name[:st.end]
	part := wire[start+1:]
	if n.shape.Kind == Array {
		for c := n.first; c != nil; c = c.next {
			if c.idx == st.idx {
				return c
			}
		}
	} else if c := d.field(n, part); c != nil {
		return c
	}
	return d.newNode(n, st.shape, wire, part, st.idx)
}

// field returns n's child called name, or nil.
func (d *decoder) field(n *node, name string) *node {
	for c := n.first; c != nil; c = c.next {
		if c.name() == name {
			return c
		}
	}
	return nil
}

// index parses a list index. Only canonical decimals from 1 are accepted, so that two
// names can never address the same item (Tag.1 and Tag.01).
func (d *decoder) index(list *Shape, wire, part, name string) (int, bool) {
	if !isDigits(part) {
		d.problem(BadIndex, name, "list index %q is not a decimal number", part)
		return 0, false
	}
	if part[0] == '0' {
		d.problem(BadIndex, name, "list indexes start at 1 and have no leading zero")
		return 0, false
	}
	idx := math.MaxInt32
	if len(part) <= 9 {
		idx, _ = strconv.Atoi(part)
	}
	if maxItems := list.MaxItems; maxItems > 0 && idx > maxItems {
		if d.reported == nil {
			d.reported = map[string]bool{}
		}
		if !d.reported[wire] {
			d.reported[wire] = true
			d.problem(TooMany, wire, "at most %d items", maxItems)
		}
		return 0, false
	}
	if idx > d.lim.MaxIndex {
		d.problem(BadIndex, name, "list index above %d", d.lim.MaxIndex)
		return 0, false
	}
	return idx, true
}

// finish coerces a subtree into plain values; ok is false when nothing usable remains.
func (d *decoder) finish(n *node) (any, bool) {
	switch n.shape.Kind {
	case Array:
		return d.finishArray(n)
	case Object:
		if n.given {
			d.problem(BadShape, n.wire, "%s is an object: send its fields as %s.Field", n.wire, n.wire)
		}
		if n.kids == 0 {
			return nil, false
		}
		out := make(map[string]any, int(n.kids))
		for c := n.first; c != nil; c = c.next {
			if v, ok := d.finish(c); ok {
				out[c.name()] = v
			}
		}
		return out, true
	}
	if !n.given {
		return nil, false
	}
	return d.coerce(n.shape.Kind, n.wire, n.value)
}

func (d *decoder) finishArray(n *node) (any, bool) {
	if n.given {
		if n.kids > 0 {
			d.problem(Conflict, n.wire, "given both as %s and as %s.N", n.wire, n.wire)
			return nil, false
		}
		switch elem := n.shape.Elem; {
		case elem == nil || elem.Kind == Array || elem.Kind == Object:
			d.problem(BadShape, n.wire, "a list of objects travels as %s.N.Field", n.wire)
			return nil, false
		}
		v, ok := d.coerce(n.shape.Elem.Kind, n.wire, n.value)
		return []any{v}, ok
	}
	// Indexes are distinct, so they are exactly 1..kids unless one is above kids.
	for c := n.first; c != nil; c = c.next {
		if c.idx > int(n.kids) {
			d.gap(n)
			return nil, false
		}
	}
	out := make([]any, n.kids)
	for c := n.first; c != nil; c = c.next {
		out[c.idx-1], _ = d.finish(c)
	}
	return out, len(out) > 0
}

// gap reports the first index missing from list n, naming the next one given.
func (d *decoder) gap(n *node) {
	idxs := make([]int, 0, n.kids)
	for c := n.first; c != nil; c = c.next {
		idxs = append(idxs, c.idx)
	}
	slices.Sort(idxs)
	for i, idx := range idxs {
		if idx != i+1 {
			d.problem(Gap, n.wire+"."+strconv.Itoa(i+1), "%s.%d is given but %s.%d is not", n.wire, idx, n.wire, i+1)
			return
		}
	}
}

// coerce converts one wire text to the kind's Go value.
func (d *decoder) coerce(kind Kind, wire, s string) (any, bool) {
	switch kind {
	case String:
		return s, true
	case Integer:
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return v, true
		}
		d.problem(WrongType, wire, "not an integer")
	case Number:
		if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v, true
		}
		d.problem(WrongType, wire, "not a number")
	case Boolean:
		if s == "true" || s == "false" {
			return s == "true", true
		}
		d.problem(WrongType, wire, "not true or false")
	case JSON:
		if v, err := decodeJSON(s); err == nil {
			return v, true
		}
		d.problem(WrongType, wire, "not one JSON value")
	default:
		d.problem(BadShape, wire, "%s cannot be given as one value", wire)
	}
	return nil, false
}

// decodeJSON reads exactly one JSON value, keeping numbers exact (json.Number).
func decodeJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}
