package reference

// handlers is every action the reference answers, by product. Each product's table is one
// screen in its own file (smc_handlers.go, ebs_handlers.go); a test fails when an action of
// the spec has no entry here.
func handlers() map[string]map[string]Handler {
	return map[string]map[string]Handler{
		"smc": smcHandlers(),
		"ebs": ebsHandlers(),
		"sts": stsHandlers(),
	}
}
