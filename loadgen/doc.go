// Package loadgen measures an HTTP/1.1 server with requests built before the clock starts.
//
// A load figure is only as honest as its client: a client that signs, encodes and decodes
// each request on the same two cores as the server caps the baseline and hides part of the
// gap it is meant to show. Here every request is rendered to bytes (signed, with a fresh
// nonce and a current timestamp) before a round starts, and the timed loop only writes
// those bytes on a keep-alive connection and skims the answer: status line, headers, and a
// body that is skipped, never decoded.
//
// Compare runs several targets in alternating rounds and reports each round's rate next to
// a baseline's from the same round, because the speed of a shared machine drifts by more
// than most of the differences worth measuring.
//
// It is not a general HTTP client: no TLS, no redirects, no proxies, no pipelining, one
// request in flight per connection, loopback only by intent.
package loadgen
