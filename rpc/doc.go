// Package rpc is the Alibaba RPC wire protocol: signature v1 (HMAC-SHA1) and v3
// (ACS3-HMAC-SHA256) signing and verification, the gateway's common-parameter checks, JSON
// and XML success and error envelopes, and a signed client for any action of either product.
//
// It knows the contract only through package spec (which product a Version names, which
// actions exist, the gateway's error codes). It holds no state beyond a bounded nonce cache
// and never decides business rules. The flat parameter codec lives in rpc/flat, a leaf
// package that spec also uses.
//
// Gateway.Admit is the front door: it documents the order of its checks. WriteResult and
// WriteError are the only writers of response bodies. The signers are exported so that the
// recorder can re-sign requests and tests can forge them (Client.NewRequest, Sign, Send).
//
// testdata/vectors holds requests captured from the official v1 Go SDK and the v2 SDK core
// (darabonba-openapi); the tests check that Admit accepts them and that our signers
// reproduce their signatures. `go test ./rpc -run Vectors -update` captures them again.
package rpc
