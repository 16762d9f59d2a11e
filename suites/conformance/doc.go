// Package conformance holds smcct's conformance specs (Ginkgo v2 + Gomega) for smc
// 2019-06-01 and ebs 2021-07-30. The specs live in ordinary .go files so that cmd/smcct
// compiles them into the binary; conformance_suite_test.go runs the same specs under go test
// and ginkgo. They reach the target only through package framework and never import the
// reference: the same tree runs against any endpoint.
//
// Categories (labels): validation and the error codes they provoke are generated from the
// contract; precondition specs are generated from x-acs-preconditions and x-acs-effects;
// protocol, lifecycle and isolation specs are written by hand.
package conformance
