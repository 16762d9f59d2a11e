package reference

import "slices"

// listIndex finds the objects of one kind's list (kept in creation order, the order
// Describe answers in) by ID and by attributes fixed at creation (a job's RegionId and
// SourceId), so that a read costs what its page costs rather than what the account holds.
// It holds positions into the list and is rebuilt, in one pass, whenever the list's
// membership changes: the owner bumps a generation at every such change (addJob, seed and
// advance do) and reindexes before it unlocks.
type listIndex[T keyed] struct {
	gen    uint64 // the generation it was built for; 0 means never built
	pos    map[string]int32
	groups map[attrValue][]int32 // positions, ascending
}

type attrValue struct{ attr, value string }

// attrsOf lists the fixed attributes of one object as (attribute, value) pairs.
type attrsOf[T keyed] func(x T, add func(attr, value string))

// sync rebuilds the index if it was built for another generation.
func (x *listIndex[T]) sync(list []T, gen uint64, attrs attrsOf[T]) {
	if x.gen == gen && x.pos != nil {
		return
	}
	x.gen = gen
	x.pos = make(map[string]int32, len(list))
	x.groups = map[attrValue][]int32{}
	for i, o := range list {
		x.pos[o.key()] = int32(i)
		if attrs != nil {
			attrs(o, func(attr, value string) {
				k := attrValue{attr, value}
				x.groups[k] = append(x.groups[k], int32(i))
			})
		}
	}
}

// find returns the object with the ID, or the zero value (nil).
func (x *listIndex[T]) find(list []T, id string) T {
	if i, ok := x.pos[id]; ok && int(i) < len(list) && list[i].key() == id {
		return list[i]
	}
	var none T
	return none
}

// group returns the positions of the objects whose attribute has the value, ascending.
func (x *listIndex[T]) group(attr, value string) []int32 {
	return x.groups[attrValue{attr, value}]
}

// union merges the positions of several values of one attribute, ascending, each once.
func (x *listIndex[T]) union(attr string, values []string) []int32 {
	if len(values) == 1 {
		return x.group(attr, values[0])
	}
	var out []int32
	for _, v := range values {
		out = append(out, x.group(attr, v)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// positionsOf returns the positions of the objects with these IDs, ascending, each once;
// IDs not in the list are left out.
func (x *listIndex[T]) positionsOf(ids []string) []int32 {
	out := make([]int32, 0, len(ids))
	for _, id := range ids {
		if i, ok := x.pos[id]; ok {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// equal reports whether two indexes hold the same positions: tests rebuild an index from
// scratch and compare, so a membership change that forgot its generation shows.
func (x *listIndex[T]) equal(y *listIndex[T]) bool {
	if len(x.pos) != len(y.pos) || len(x.groups) != len(y.groups) {
		return false
	}
	for k, v := range x.pos {
		if w, ok := y.pos[k]; !ok || w != v {
			return false
		}
	}
	for k, v := range x.groups {
		if !slices.Equal(v, y.groups[k]) {
			return false
		}
	}
	return true
}
