// Package recorder records Alibaba RPC traffic into go-vcr v3 cassettes (format version 2)
// and replays it, for the smc and ebs products.
//
// Matching is Action-aware: a request is known by its API Version, its Action and its
// canonical business parameters (query and form body merged, decoded and sorted), so a
// GET and a POST of the same call match, and the parts that change on every call
// (signature, nonce, timestamp, credentials, User-Agent) never take part. Identical
// requests replay in the order they were recorded, which keeps polling loops working.
//
// Replay does not use go-vcr's Cassette.GetInteraction, a linear scan under a lock: cassettes
// are loaded with go-vcr's cassette package and served from an index keyed on the canonical
// request, so a replayed request costs the same in a cassette of 100 or 100,000
// interactions. Recording writes cassettes go-vcr can read.
//
// Secrets never reach disk: AccessKeyId, Signature, SecurityToken, the Authorization
// header's credential and signature, and any literal secret the caller names are replaced
// with fixed placeholders before an interaction is kept.
//
// The package also holds the recording proxy and the replay server behind `smcct record`
// and `smcct replay`. It is not an emulator: it only answers what was recorded.
package recorder
