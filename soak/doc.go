// Package soak holds the attack and soak test of `smcct serve`: it builds the binary, runs
// it as a child process on a loopback port, drives the attacks that once exhausted its
// memory (stalled uploads, signed requests with the nonce in a 1 MiB body, 1.2 MiB of
// unknown parameters, cross-origin and foreign-Host control requests), and checks the
// child's peak resident memory (VmHWM) stays under a bound while it keeps answering a
// normal signed request. `make test` runs a smaller round; `make soak` the full one.
//
// It has no code outside its test: nothing imports it.
package soak
