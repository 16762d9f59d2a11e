// Package flat is the codec for Alibaba's flattened RPC parameters: `Name.N` lists,
// `Name.N.Field` object lists nested to any depth, dotted objects and JSON-valued parameters,
// decoded from url.Values into plain Go values (map[string]any, []any, string, int64,
// float64, bool) and encoded back.
//
// It is a leaf: it imports nothing of smcct, so that both spec (validation) and rpc (the
// client) can use it. It knows shapes, not schemas: range and pattern rules belong to spec.
package flat
