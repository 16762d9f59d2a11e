package framework

import (
	"context"
	"fmt"
	"strings"

	"github.com/smcct/smcct/spec"
)

// StateKey is the GET /_smcct/state list that holds a kind: ReplicaGroup -> replicaGroups.
func StateKey(kind string) string {
	if kind == "" {
		return ""
	}
	return strings.ToLower(kind[:1]) + kind[1:] + "s"
}

// Object returns one object of an account's state dump by kind and ID; ok is false when the
// account holds no such object.
func (c *Control) Object(ctx context.Context, account string, o *spec.Object, id string) (map[string]any, bool, error) {
	st, err := c.State(ctx, account)
	if err != nil {
		return nil, false, err
	}
	obj, ok := FindObject(st, o, id)
	return obj, ok, nil
}

// FindObject picks one object out of a state dump.
func FindObject(st map[string][]map[string]any, o *spec.Object, id string) (map[string]any, bool) {
	for _, obj := range st[StateKey(o.Kind)] {
		if fmt.Sprint(obj[o.IDField]) == id {
			return obj, true
		}
	}
	return nil, false
}

// StateOf reads an object's state fields (those its kind's States enum names).
func StateOf(o *spec.Object, obj map[string]any) map[string]string {
	out := map[string]string{}
	for f := range o.States {
		if v, ok := obj[f]; ok && v != nil {
			out[f] = fmt.Sprint(v)
		}
	}
	return out
}
