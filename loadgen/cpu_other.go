//go:build !unix

package loadgen

import "time"

// processCPU is not measured off unix; CPU figures then read zero.
func processCPU() time.Duration { return 0 }
