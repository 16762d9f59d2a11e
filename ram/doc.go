// Package ram is Alibaba Cloud's RAM policy language: it parses policy documents (Version
// "1"; statements with Effect, Action or NotAction, Resource or NotResource, Principal for a
// role's trust policy, and Condition), refuses what the language does not allow, and decides
// whether a set of policies allows one request.
//
// It is a leaf: it knows nothing of smcct's products, identities or wire protocol. The
// reference builds the request (the RAM action, the resource ARNs, the condition keys) and
// keeps the identities; this package only judges. The language as modelled, with the
// condition operators and keys, is described in docs/reference.md.
package ram
