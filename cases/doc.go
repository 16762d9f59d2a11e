// Package cases turns the contract into test cases and their expected outcomes, with no
// test framework: per action, the parameter-validation cases (a value that breaks each
// schema rule, a boundary value that must pass), the state-precondition cases (objects in
// each state the preconditions check, and the refusal or effect the contract promises), the
// empty-value cases of x-acs-ignore-empty, a valid baseline request, and the judge of what
// an allowed call did to an object's state.
//
// It reads package spec and encodes requests with rpc/flat; it knows no target, no HTTP and
// no Ginkgo. The harness that runs the cases is suites/framework; the specs that name them
// are in suites/conformance.
package cases
