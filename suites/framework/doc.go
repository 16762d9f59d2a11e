// Package framework is what the conformance specs stand on: the Target they run against
// (an in-process reference, or any endpoint), a signed client that validates every response
// against the contract, a client for the reference's control plane, names derived from the
// spec text, Gomega matchers for service errors, and the record/replay glue.
//
// For a target without a control plane it also holds the walker: the target profile (what
// an account offers beyond its API), leases of the objects the API cannot create, the
// target's pace, and a Walker that brings objects into states by the cheapest public path
// the contract's state machine gives (spec.Product.Plan), polls until timers have fired,
// and removes what it made; the sweeper finds what interrupted runs left by their run tag.
//
// It is not a test suite itself and holds no specs (package suites/conformance does), nor
// does it generate cases from the contract (package cases does). Only NewInProcess imports
// the reference: everything else reaches a target over HTTP, so the same specs run
// unchanged against a real endpoint.
package framework
