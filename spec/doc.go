// Package spec is the contract: the embedded OpenAPI 3.0 documents for smc 2019-06-01 and
// ebs 2021-07-30, loaded and validated with kin-openapi, turned into an action catalog, and
// used to check decoded RPC parameters and responses against it.
//
// It is not a transport: it knows nothing of signatures, HTTP or state. The grammar of the
// documents (pseudo paths, x-acs-* extensions) is in docs/spec-format.md.
package spec
