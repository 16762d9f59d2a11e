// Package rpc is the Alibaba RPC wire protocol: signature v1 (HMAC-SHA1) and v3
// (ACS3-HMAC-SHA256) signing and verification, the gateway's common-parameter checks, JSON
// and XML success and error envelopes, and a signed client for any action of either product.
//
// It knows the contract only through package spec (which product a Version names, which
// actions exist, the gateway's error codes). It holds no state beyond a bounded nonce cache
// and never decides business rules. The flat parameter codec lives in rpc/flat, a leaf
// package that spec also uses.
package rpc
