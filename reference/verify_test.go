package reference

// Every test of the package checks, at each unlock of an account, that the indexes agree
// with indexes built from scratch.
func init() { verifyIndexes = true }
