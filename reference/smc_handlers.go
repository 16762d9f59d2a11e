package reference

import "github.com/smcct/smcct/rpc"

// smcHandlers is every SMC action the reference answers. The contract has already checked
// parameters, object existence and state preconditions when one of these runs.
func smcHandlers() map[string]Handler {
	return map[string]Handler{
		"DescribeSourceServers":         describeSourceServers,
		"ModifySourceServerAttribute":   modifySourceServerAttribute,
		"DeleteSourceServer":            deleteSourceServer,
		"CreateReplicationJob":          createReplicationJob,
		"ModifyReplicationJobAttribute": modifyReplicationJobAttribute,
		"StartReplicationJob":           startReplicationJob,
		"StopReplicationJob":            stopReplicationJob,
		"CutOverReplicationJob":         cutOverReplicationJob,
		"DeleteReplicationJob":          deleteReplicationJob,
		"DescribeReplicationJobs":       describeReplicationJobs,
		"TagResources":                  tagResources,
		"UntagResources":                untagResources,
		"ListTagResources":              listTagResources,
		"CreateAccessToken":             createAccessToken,
		"ListAccessTokens":              listAccessTokens,
		"DisableAccessToken":            disableAccessToken,
		"DeleteAccessToken":             deleteAccessToken,
		"CreateWorkgroup":               createWorkgroup,
		"DescribeWorkgroups":            describeWorkgroups,
		"ModifyWorkgroupAttribute":      modifyWorkgroupAttribute,
		"DeleteWorkgroup":               deleteWorkgroup,
		"AssociateSourceServers":        associateSourceServers,
		"DisassociateSourceServers":     disassociateSourceServers,
		"CreateCrossZoneMigrationJob":   createCrossZoneMigrationJob,
	}
}

// unpagedSize is the page a list answers when its action takes no PageSize yet echoes one
// (ListAccessTokens): the contract is silent there. Actions that take PageSize and
// PageNumber get the contract's bounds and defaults, which Ctx.Int reads.
const unpagedSize = 10

// paginate cuts one page out of list; a page past the end is empty, not an error.
func paginate[T any](c *Ctx, list []T) ([]T, int, int) {
	number, size := pageBounds(c)
	return cutPage(list, (number-1)*size, size), number, size
}

// pageBounds reads PageNumber and PageSize, with their defaults. The contract bounds both,
// so (number-1)*size stays far from overflowing.
func pageBounds(c *Ctx) (number, size int) {
	size = max(int(c.Int("PageSize", unpagedSize)), 1)
	number = max(int(c.Int("PageNumber", 1)), 1)
	return number, size
}

// eqFilter is an exact-match filter that an absent or empty parameter leaves out.
func eqFilter(c *Ctx, param, value string) bool { return eq(c.Str(param), value) }

// inFilter is a list filter (SourceId.N) that an absent or empty list leaves out.
func inFilter(c *Ctx, param, value string) bool { return in(c.Strs(param), value) }

// eq and in are the filters on values already read from the request.
func eq(want, value string) bool          { return want == "" || want == value }
func in(list []string, value string) bool { return len(list) == 0 || contains(list, value) }

// invalidParam answers the gateway's invalid-parameter code for a rule the schema cannot
// state because it depends on the clock or on other objects.
func invalidParam(c *Ctx, name string) *rpc.Error {
	return rpc.NewError(c.Action.Product.Families.Invalid.For(name))
}

// idPrefix is the contract's ID prefix of a kind, def if it names none.
func idPrefix(c *Ctx, kind, def string) string {
	if o, ok := c.Action.Product.Objects[kind]; ok && o.IDPrefix != "" {
		return o.IDPrefix
	}
	return def
}

// missingParam answers the gateway's missing-parameter code for a need that only shows on
// the merged configuration of a job.
func missingParam(c *Ctx, name string) *rpc.Error {
	return rpc.NewError(c.Action.Product.Families.Missing.For(name))
}
