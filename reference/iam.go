package reference

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smcct/smcct/ram"
	"github.com/smcct/smcct/spec"
)

// identities are every account's principals: its own AccessKeys, its RAM users with their
// keys and policies, its roles, its custom policies and its account conditions. The gateway
// reads them on every request, so lookups take a read lock only; users, roles and policies
// are replaced whole, never changed in place, so a caller may keep what it looked up.
//
// Lock order: Store.mu before identities.mu, never the other way.
type identities struct {
	mu       sync.RWMutex
	keys     map[string]*accessKey  // by AccessKeyId
	accounts map[string]*accountIAM // by account ID
	system   map[string]*namedPolicy
	sts      *stsIssuer
}

// Bounds on what one account may hold, RAM's own quotas where it has one.
const (
	maxUsers        = 1000
	maxRoles        = 1000
	maxPolicies     = 1500
	maxKeysPerUser  = 2
	maxPoliciesEach = 20 // attached to one user or role, inline ones included
)

// accessKey is one AccessKey pair. who is the identity it signs for.
type accessKey struct {
	id, secret string
	inactive   bool
	who        *principal
}

// accountIAM is one account's RAM. flags are account conditions (bits of spec's
// AccountConditions), read on every request without a lock.
type accountIAM struct {
	id       string
	flags    atomic.Uint32
	root     *principal
	rootKeys []AccessKey
	users    map[string]*ramUser // by lower-case name
	roles    map[string]*ramRole // by lower-case name
	policies map[string]*namedPolicy
}

type namedPolicy struct {
	name   string
	policy *ram.Policy
}

type ramUser struct {
	fixture UserFixture // as given, for export
	inline  []*ram.Policy
	who     *principal
}

type ramRole struct {
	fixture    RoleFixture
	id         string // the numeric role ID of AssumedRoleId
	trust      *ram.Policy
	inline     []*ram.Policy
	maxSession time.Duration
}

// principal is who signed a request: the account itself, one of its RAM users, or a session
// of one of its roles (assumed with STS).
type principal struct {
	acct    *accountIAM
	user    *ramUser    // nil for the account and for sessions
	session *stsSession // nil unless the key is temporary
}

// root reports whether the account itself signed: it is allowed everything.
func (p *principal) root() bool { return p.user == nil && p.session == nil }

// name identifies the caller within its account, for flow control: "root", a user's name,
// or "role/<name>" for every session of a role.
func (p *principal) name() string {
	switch {
	case p.user != nil:
		return p.user.fixture.Name
	case p.session != nil:
		return "role/" + p.session.Role
	}
	return "root"
}

// names are what a trust policy's Principal may call the caller: its own ARN, its
// account's root ARN and the account ID.
func (p *principal) names() []string {
	root := "acs:ram::" + p.acct.id + ":root"
	switch {
	case p.user != nil:
		return []string{"acs:ram::" + p.acct.id + ":user/" + p.user.fixture.Name, root, p.acct.id}
	case p.session != nil:
		return []string{"acs:ram::" + p.acct.id + ":role/" + p.session.Role, root, p.acct.id}
	}
	return []string{root, p.acct.id}
}

func newIdentities(system []PolicyFixture, tokenKey []byte) (*identities, error) {
	ids := &identities{keys: map[string]*accessKey{}, accounts: map[string]*accountIAM{},
		system: map[string]*namedPolicy{}, sts: newSTSIssuer(tokenKey)}
	for _, pf := range system {
		np, err := parseNamed(pf)
		if err != nil {
			return nil, fmt.Errorf("system policy %s: %w", pf.Name, err)
		}
		ids.system[strings.ToLower(pf.Name)] = np
	}
	return ids, nil
}

func parseNamed(pf PolicyFixture) (*namedPolicy, error) {
	if pf.Name == "" {
		return nil, fmt.Errorf("a policy needs a name")
	}
	doc, err := policyJSON(pf.Document)
	if err != nil {
		return nil, err
	}
	p, err := ram.Parse(doc, ram.Identity)
	if err != nil {
		return nil, err
	}
	return &namedPolicy{name: pf.Name, policy: p}, nil
}

// ensure returns an account's RAM, creating an empty one. Call with mu held.
func (ids *identities) ensure(id string) *accountIAM {
	if a, ok := ids.accounts[id]; ok {
		return a
	}
	a := &accountIAM{id: id, users: map[string]*ramUser{}, roles: map[string]*ramRole{}, policies: map[string]*namedPolicy{}}
	a.root = &principal{acct: a}
	ids.accounts[id] = a
	return a
}

// addAccount gives an account its own keys and, if the fixture has one, its RAM section.
func (ids *identities) addAccount(af AccountFixture) error {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	a := ids.ensure(af.ID)
	for _, k := range af.AccessKeys {
		if err := ids.putKey(k, a.root); err != nil {
			return err
		}
		known := false
		for _, rk := range a.rootKeys {
			known = known || rk.ID == k.ID
		}
		if !known {
			a.rootKeys = append(a.rootKeys, k)
		}
	}
	if af.RAM == nil {
		return nil
	}
	if err := a.setFlags(af.RAM.Flags); err != nil {
		return err
	}
	for _, pf := range af.RAM.Policies {
		if err := ids.putPolicy(a, pf); err != nil {
			return err
		}
	}
	for _, uf := range af.RAM.Users {
		if err := ids.putUser(a, uf); err != nil {
			return err
		}
	}
	for _, rf := range af.RAM.Roles {
		if err := ids.putRole(a, rf); err != nil {
			return err
		}
	}
	return nil
}

// replace takes over another identities' keys and accounts (a reset); the pointer the
// gateway holds stays the same.
func (ids *identities) replace(fresh *identities) {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	ids.keys, ids.accounts, ids.system = fresh.keys, fresh.accounts, fresh.system
}

// putKey registers a key for an identity. A key may not change hands. Call with mu held.
func (ids *identities) putKey(k AccessKey, who *principal) error {
	if k.ID == "" || k.Secret == "" {
		return fmt.Errorf("an AccessKey needs an id and a secret")
	}
	if strings.HasPrefix(k.ID, stsKeyPrefix) {
		return fmt.Errorf("AccessKeyId %q: the %s prefix is for temporary credentials", k.ID, stsKeyPrefix)
	}
	if old, ok := ids.keys[k.ID]; ok && !sameIdentity(old.who, who) {
		return fmt.Errorf("AccessKeyId %q already belongs to another identity", k.ID)
	}
	if k.Status != "" && k.Status != keyActive && k.Status != keyInactive {
		return fmt.Errorf("AccessKey %q: status %q is not Active or Inactive", k.ID, k.Status)
	}
	ids.keys[k.ID] = &accessKey{id: k.ID, secret: k.Secret, inactive: k.Status == keyInactive, who: who}
	return nil
}

func sameIdentity(a, b *principal) bool {
	if a.acct != b.acct {
		return false
	}
	if a.user == nil || b.user == nil {
		return a.user == b.user
	}
	return strings.EqualFold(a.user.fixture.Name, b.user.fixture.Name)
}

func (a *accountIAM) setFlags(flags map[string]bool) error {
	for name, on := range flags {
		bit, ok := conditionBit(name)
		if !ok {
			return fmt.Errorf("unknown account condition %q (want one of %s)", name, strings.Join(spec.AccountConditions, ", "))
		}
		if on {
			a.flags.Or(bit)
		} else {
			a.flags.And(^bit)
		}
	}
	return nil
}

func conditionBit(name string) (uint32, bool) {
	for i, c := range spec.AccountConditions {
		if c == name {
			return 1 << i, true
		}
	}
	return 0, false
}

// flagMap returns the conditions that hold, by name.
func (a *accountIAM) flagMap() map[string]bool {
	out := map[string]bool{}
	f := a.flags.Load()
	for i, c := range spec.AccountConditions {
		if f&(1<<i) != 0 {
			out[c] = true
		}
	}
	return out
}

func (ids *identities) putPolicy(a *accountIAM, pf PolicyFixture) error {
	np, err := parseNamed(pf)
	if err != nil {
		return fmt.Errorf("policy %s: %w", pf.Name, err)
	}
	key := strings.ToLower(pf.Name)
	if _, ok := a.policies[key]; !ok && len(a.policies) >= maxPolicies {
		return fmt.Errorf("account %s already has %d policies", a.id, maxPolicies)
	}
	a.policies[key] = np
	return nil
}

// attached parses a user's or role's inline policies and checks its named ones exist.
func (ids *identities) attached(a *accountIAM, names []string, inline []any) ([]*ram.Policy, error) {
	if len(names)+len(inline) > maxPoliciesEach {
		return nil, fmt.Errorf("at most %d policies may be attached", maxPoliciesEach)
	}
	for _, n := range names {
		if ids.lookupPolicy(a, n) == nil {
			return nil, fmt.Errorf("no policy named %q in the account or among the system policies", n)
		}
	}
	out := make([]*ram.Policy, 0, len(inline))
	for i, doc := range inline {
		b, err := policyJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("inline policy %d: %w", i+1, err)
		}
		p, err := ram.Parse(b, ram.Identity)
		if err != nil {
			return nil, fmt.Errorf("inline policy %d: %w", i+1, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func (ids *identities) lookupPolicy(a *accountIAM, name string) *ram.Policy {
	key := strings.ToLower(name)
	if np, ok := a.policies[key]; ok {
		return np.policy
	}
	if np, ok := ids.system[key]; ok {
		return np.policy
	}
	return nil
}

// putUser creates or replaces a RAM user with its keys. Keys the user had before and no
// longer lists are removed. Call with mu held.
func (ids *identities) putUser(a *accountIAM, uf UserFixture) error {
	if !validName(uf.Name) {
		return fmt.Errorf("user name %q: 1-64 letters, digits, '.', '_' or '-'", uf.Name)
	}
	key := strings.ToLower(uf.Name)
	old, replacing := a.users[key]
	if !replacing && len(a.users) >= maxUsers {
		return fmt.Errorf("account %s already has %d users", a.id, maxUsers)
	}
	if len(uf.AccessKeys) > maxKeysPerUser {
		return fmt.Errorf("user %s: at most %d AccessKeys", uf.Name, maxKeysPerUser)
	}
	inline, err := ids.attached(a, uf.Policies, uf.InlinePolicies)
	if err != nil {
		return fmt.Errorf("user %s: %w", uf.Name, err)
	}
	u := &ramUser{fixture: uf, inline: inline}
	u.who = &principal{acct: a, user: u}
	for _, k := range uf.AccessKeys {
		if err := ids.putKey(k, u.who); err != nil {
			return fmt.Errorf("user %s: %w", uf.Name, err)
		}
	}
	if replacing {
		ids.dropStaleKeys(old, uf.AccessKeys)
	}
	a.users[key] = u
	return nil
}

func (ids *identities) dropStaleKeys(old *ramUser, kept []AccessKey) {
	for _, k := range old.fixture.AccessKeys {
		still := false
		for _, n := range kept {
			still = still || n.ID == k.ID
		}
		if !still {
			delete(ids.keys, k.ID)
		}
	}
}

func (ids *identities) deleteUser(a *accountIAM, name string) bool {
	u, ok := a.users[strings.ToLower(name)]
	if !ok {
		return false
	}
	ids.dropStaleKeys(u, nil)
	delete(a.users, strings.ToLower(name))
	return true
}

const defaultMaxSession = time.Hour

func (ids *identities) putRole(a *accountIAM, rf RoleFixture) error {
	if !validName(rf.Name) {
		return fmt.Errorf("role name %q: 1-64 letters, digits, '.', '_' or '-'", rf.Name)
	}
	key := strings.ToLower(rf.Name)
	if _, ok := a.roles[key]; !ok && len(a.roles) >= maxRoles {
		return fmt.Errorf("account %s already has %d roles", a.id, maxRoles)
	}
	inline, err := ids.attached(a, rf.Policies, rf.InlinePolicies)
	if err != nil {
		return fmt.Errorf("role %s: %w", rf.Name, err)
	}
	trustDoc := rf.Trust
	if trustDoc == nil {
		trustDoc = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::` + a.id + `:root"]}}]}`
	}
	b, err := policyJSON(trustDoc)
	if err != nil {
		return fmt.Errorf("role %s trust policy: %w", rf.Name, err)
	}
	trust, err := ram.Parse(b, ram.Trust)
	if err != nil {
		return fmt.Errorf("role %s trust policy: %w", rf.Name, err)
	}
	maxSession := defaultMaxSession
	if rf.MaxSessionDuration != 0 {
		if rf.MaxSessionDuration < 3600 || rf.MaxSessionDuration > 43200 {
			return fmt.Errorf("role %s: maxSessionDuration is 3600 to 43200 seconds", rf.Name)
		}
		maxSession = time.Duration(rf.MaxSessionDuration) * time.Second
	}
	a.roles[key] = &ramRole{fixture: rf, id: roleID(a.id, key), trust: trust, inline: inline, maxSession: maxSession}
	return nil
}

// roleID is a role's numeric ID, made from its account and name so that it never changes.
func roleID(account, name string) string {
	h := fnv64(account + "/" + name)
	return fmt.Sprintf("3%017d", h%1e17)
}

func validName(n string) bool {
	if len(n) < 1 || len(n) > 64 {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// credentials is the gateway's question (rpc.Gateway.Keys): the secret of a key, or the
// code that refuses it. A temporary key's secret and state come from its token.
func (ids *identities) credentials(id, token string, now time.Time) (secret, refusal string) {
	if strings.HasPrefix(id, stsKeyPrefix) {
		return ids.sts.check(id, token, now)
	}
	ids.mu.RLock()
	k, ok := ids.keys[id]
	var inactive bool
	if ok {
		secret, inactive = k.secret, k.inactive
	}
	ids.mu.RUnlock()
	switch {
	case !ok:
		return "", "InvalidAccessKeyId.NotFound"
	case inactive:
		return "", "InvalidAccessKeyId.Inactive"
	case token != "":
		return "", "InvalidSecurityToken.MismatchWithAccessKey"
	}
	return secret, ""
}

// principalFor returns who signed with a key the gateway admitted. The account's own keys
// and RAM users' keys cost one map lookup and no allocation.
func (ids *identities) principalFor(id, token string) (*principal, bool) {
	if strings.HasPrefix(id, stsKeyPrefix) {
		s, err := ids.sts.open(id, token)
		if err != nil {
			return nil, false
		}
		ids.mu.RLock()
		a, ok := ids.accounts[s.Account]
		ids.mu.RUnlock()
		if !ok {
			return nil, false
		}
		return &principal{acct: a, session: s}, true
	}
	ids.mu.RLock()
	k, ok := ids.keys[id]
	var who *principal
	if ok {
		who = k.who
	}
	ids.mu.RUnlock()
	return who, ok
}

// policiesOf returns the identity policies that apply to a caller that is not the account:
// a user's attached ones, or the role's for a session (the session policy is separate).
func (ids *identities) policiesOf(p *principal) []*ram.Policy {
	ids.mu.RLock()
	defer ids.mu.RUnlock()
	var names []string
	var inline []*ram.Policy
	switch {
	case p.user != nil:
		// The user may have been replaced since its key was looked up: read the current one.
		u, ok := p.acct.users[strings.ToLower(p.user.fixture.Name)]
		if !ok {
			return nil
		}
		names, inline = u.fixture.Policies, u.inline
	case p.session != nil:
		r, ok := p.acct.roles[strings.ToLower(p.session.Role)]
		if !ok {
			return nil
		}
		names, inline = r.fixture.Policies, r.inline
	}
	out := make([]*ram.Policy, 0, len(names)+len(inline))
	for _, n := range names {
		if pol := ids.lookupPolicy(p.acct, n); pol != nil {
			out = append(out, pol)
		}
	}
	return append(out, inline...)
}

// fixture returns an account's RAM as fixtures, for export and the control plane.
func (ids *identities) fixture(accountID string) (*RAMFixture, []AccessKey) {
	ids.mu.RLock()
	defer ids.mu.RUnlock()
	a, ok := ids.accounts[accountID]
	if !ok {
		return nil, nil
	}
	f := &RAMFixture{}
	if flags := a.flagMap(); len(flags) > 0 {
		f.Flags = flags
	}
	for _, np := range a.policies {
		f.Policies = append(f.Policies, PolicyFixture{Name: np.name, Document: string(np.policy.Source)})
	}
	for _, u := range a.users {
		uf := u.fixture
		uf.AccessKeys = nil
		for _, k := range u.fixture.AccessKeys {
			if cur, ok := ids.keys[k.ID]; ok {
				uf.AccessKeys = append(uf.AccessKeys, AccessKey{ID: k.ID, Secret: cur.secret, Status: statusOf(cur)})
			}
		}
		f.Users = append(f.Users, uf)
	}
	for _, r := range a.roles {
		f.Roles = append(f.Roles, r.fixture)
	}
	sort.Slice(f.Policies, func(i, j int) bool { return f.Policies[i].Name < f.Policies[j].Name })
	sort.Slice(f.Users, func(i, j int) bool { return f.Users[i].Name < f.Users[j].Name })
	sort.Slice(f.Roles, func(i, j int) bool { return f.Roles[i].Name < f.Roles[j].Name })
	var keys []AccessKey
	for _, k := range a.rootKeys {
		if cur, ok := ids.keys[k.ID]; ok {
			keys = append(keys, AccessKey{ID: k.ID, Secret: cur.secret, Status: statusOf(cur)})
		}
	}
	if len(f.Flags)+len(f.Policies)+len(f.Users)+len(f.Roles) == 0 {
		f = nil
	}
	return f, keys
}

func statusOf(k *accessKey) string {
	if k.inactive {
		return keyInactive
	}
	return ""
}

// setKeyStatus enables or disables a key of the account or of one of its users.
func (ids *identities) setKeyStatus(id, status string) (bool, error) {
	if status != keyActive && status != keyInactive {
		return false, fmt.Errorf("status must be Active or Inactive")
	}
	ids.mu.Lock()
	defer ids.mu.Unlock()
	k, ok := ids.keys[id]
	if !ok {
		return false, nil
	}
	// Keys are read under the read lock, so a changed copy replaces the old one.
	changed := *k
	changed.inactive = status == keyInactive
	ids.keys[id] = &changed
	return true, nil
}

// accountOfKey returns the account an AccessKeyId belongs to, temporary keys excepted.
func (ids *identities) accountOfKey(id string) (string, bool) {
	ids.mu.RLock()
	defer ids.mu.RUnlock()
	k, ok := ids.keys[id]
	if !ok {
		return "", false
	}
	return k.who.acct.id, true
}
