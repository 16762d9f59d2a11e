// Package deviation proves that the conformance suites catch a target that breaks the
// contract. Its test runs `smcct check` against a reference behind a proxy that makes one
// deviation at a time (a wrong code, a wrong status, a missing field, ...) and asserts that
// the run fails with the spec that should notice. It has no code outside its test.
package deviation
