// Command smcct is the conformance toolkit's one binary: `smcct spec` shows the contract,
// `smcct serve` runs the reference implementation, `smcct check` runs the conformance suites,
// `smcct record` and `smcct replay` capture and serve traffic.
//
// It only wires flags to packages; behaviour lives in spec, rpc, reference, recorder and
// suites.
package main
