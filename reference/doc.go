// Package reference is smcct's reference implementation of the smc 2019-06-01 and ebs
// 2021-07-30 APIs: one http.Handler that admits signed requests (package rpc), validates them
// against the contract (package spec), enforces the contract's state preconditions, runs a
// stateful handler per action and writes the service's envelopes. Object lifecycles move only
// with an injected clock; a control plane under /_smcct/ lets tests seed, force states, move
// the clock and inject faults; state may be kept durably in bbolt.
//
// It is not a client and not a test suite: the suites reach it only over HTTP, like any other
// endpoint.
package reference
