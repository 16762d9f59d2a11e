// Package guard decides whether a request to a local control plane (the reference's and the
// recording proxy's /_smcct/ routes) comes from the local user: a loopback Host or one the
// user allowed (no DNS rebinding), no foreign Origin or cross-site fetch (no web page), a
// body only in the media types the routes parse (no text/plain "simple request" a browser
// sends without asking), and, when one is set, the shared control token.
//
// It knows nothing of what the routes do and nothing of the RPC API: it only refuses. It is
// applied in front of a whole route prefix, so that a route added later is guarded too.
package guard
