package flat

import (
	"net/url"
	"slices"
	"strings"
)

// Pair is one parameter as sent: a name and its value, both unescaped.
type Pair struct {
	Name, Value string
}

// Params are a request's parameters sorted by name in byte order; a name sent more than
// once appears once per value, in the order sent. It is what the gateway hands on instead
// of url.Values: one slice, where url.Values is a map with a slice per name, was most of
// the allocation of admitting a request. Lookups are binary searches.
type Params []Pair

// SortParams sorts p by name in place, keeping repeated names in the order sent. The SDKs
// send parameters sorted already, which costs one pass to find out.
func SortParams(p Params) Params {
	if !slices.IsSortedFunc(p, comparePairs) {
		slices.SortStableFunc(p, comparePairs)
	}
	return p
}

func comparePairs(a, b Pair) int { return strings.Compare(a.Name, b.Name) }

// FromValues turns url.Values into sorted Params; repeated values keep their order.
func FromValues(v url.Values) Params {
	n := 0
	for _, vs := range v {
		n += len(vs)
	}
	p := make(Params, 0, n)
	for k, vs := range v {
		for _, s := range vs {
			p = append(p, Pair{k, s})
		}
	}
	return SortParams(p)
}

// Values copies p into url.Values, for callers that want a map.
func (p Params) Values() url.Values {
	v := make(url.Values, len(p))
	for _, q := range p {
		v[q.Name] = append(v[q.Name], q.Value)
	}
	return v
}

// Run returns the pairs called name: empty if there are none.
func (p Params) Run(name string) Params {
	i := p.search(name)
	if i == len(p) || p[i].Name != name {
		return nil
	}
	j := i + 1
	for j < len(p) && p[j].Name == name {
		j++
	}
	return p[i:j:j]
}

// Get returns the first value of name, or "" when it was not sent, as url.Values.Get does.
func (p Params) Get(name string) string {
	if r := p.Run(name); len(r) > 0 {
		return r[0].Value
	}
	return ""
}

// Has reports whether name was sent, even with an empty value.
func (p Params) Has(name string) bool { return len(p.Run(name)) > 0 }

// HasPrefix reports whether some name starts with prefix.
func (p Params) HasPrefix(prefix string) bool {
	i := p.search(prefix)
	return i < len(p) && strings.HasPrefix(p[i].Name, prefix)
}

// search returns the index of the first pair whose name is not below name. It is
// sort.Search written out: the gateway looks up a dozen common parameters per request,
// and the generic search's function calls were most of the cost.
func (p Params) search(name string) int {
	lo, hi := 0, len(p)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p[m].Name < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Runs calls yield with each name and its pairs, in name order.
func (p Params) Runs(yield func(name string, run Params) bool) {
	for i := 0; i < len(p); {
		j := i + 1
		for j < len(p) && p[j].Name == p[i].Name {
			j++
		}
		if !yield(p[i].Name, p[i:j:j]) {
			return
		}
		i = j
	}
}
