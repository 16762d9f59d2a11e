//go:build race

package recorder

// raceEnabled: the race detector slows yaml.v3 tenfold, so the tests that compare with
// go-vcr's reading of every committed cassette take a sample of them instead.
const raceEnabled = true
