//go:build !unix

package loadgen

import "time"

// ProcessCPU is not measured off unix; CPU figures then read zero.
func ProcessCPU() time.Duration { return 0 }
