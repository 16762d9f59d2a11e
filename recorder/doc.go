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
// are served from an index keyed on the canonical request, so a replayed request costs the
// same in a cassette of 100 or 100,000 interactions. Nor does it load them with go-vcr's
// cassette.Load, which takes 13 s and 2.4 GB for 100,000 interactions: a reader of the
// YAML go-vcr writes decodes a file in parallel pieces, straight into go-vcr's types,
// taking values as substrings of the file (decode.go, cassettefile.go). A file outside that
// YAML (edited by hand) is loaded with cassette.Load, to the same result. Recording writes
// cassettes with go-vcr's own writer, so go-vcr can always read them.
//
// Secrets never reach disk: AccessKeyId, Signature, SecurityToken, the Authorization
// header's credential and signature, and any literal secret the caller names are replaced
// with fixed placeholders before an interaction is kept.
//
// The package also holds the recording proxy and the replay server behind `smcct record`
// and `smcct replay`. It is not an emulator: it only answers what was recorded.
package recorder
