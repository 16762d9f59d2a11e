package reference

import (
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"
)

// Fixtures is the reference's seed data (fixtures/default.yaml).
type Fixtures struct {
	Regions  []Region         `yaml:"regions" json:"regions"`
	Accounts []AccountFixture `yaml:"accounts" json:"accounts"`
	// SystemPolicies are the policies every account may attach by name (AdministratorAccess,
	// AliyunSTSAssumeRoleAccess, ...), in the reference's rendition.
	SystemPolicies []PolicyFixture `yaml:"systemPolicies,omitempty" json:"systemPolicies,omitempty"`
}

// Region is a region with its zones and networks; vSwitch checks and disk placement use it.
type Region struct {
	RegionID string   `yaml:"regionId" json:"regionId"`
	Zones    []string `yaml:"zones" json:"zones"`
	VPCs     []VPC    `yaml:"vpcs" json:"vpcs"`
}

// VPC is a network with its vSwitches.
type VPC struct {
	VpcID     string    `yaml:"vpcId" json:"vpcId"`
	VSwitches []VSwitch `yaml:"vSwitches" json:"vSwitches"`
}

// VSwitch is a subnet in one zone.
type VSwitch struct {
	VSwitchID string `yaml:"vSwitchId" json:"vSwitchId"`
	ZoneID    string `yaml:"zoneId" json:"zoneId"`
}

// AccessKey is one AccessKey pair of an account or a RAM user.
type AccessKey struct {
	ID     string `yaml:"id" json:"id"`
	Secret string `yaml:"secret" json:"secret"`
	// Status is Active (the default) or Inactive: a disabled key is refused by the gateway.
	Status string `yaml:"status,omitempty" json:"status,omitempty"`
}

// AccountFixture is an account, its keys and its objects in the GET /_smcct/state shape.
type AccountFixture struct {
	ID         string         `yaml:"id" json:"id"`
	Name       string         `yaml:"name" json:"name"`
	AccessKeys []AccessKey    `yaml:"accessKeys" json:"accessKeys"`
	State      map[string]any `yaml:"state" json:"state"`
	// RAM holds the account's identities and conditions; absent, the account has only its
	// own keys and is in good standing.
	RAM *RAMFixture `yaml:"ram,omitempty" json:"ram,omitempty"`
}

// RAMFixture is one account's RAM: custom policies, users, roles and account conditions.
type RAMFixture struct {
	// Flags sets account conditions by name (spec.AccountConditions): arrears,
	// realNameUnverified, serviceRoleMissing, serviceLinkedRoleMissing.
	Flags    map[string]bool `yaml:"flags,omitempty" json:"flags,omitempty"`
	Policies []PolicyFixture `yaml:"policies,omitempty" json:"policies,omitempty"`
	Users    []UserFixture   `yaml:"users,omitempty" json:"users,omitempty"`
	Roles    []RoleFixture   `yaml:"roles,omitempty" json:"roles,omitempty"`
}

// PolicyFixture is a named policy. Document is the policy as an object or as JSON text.
type PolicyFixture struct {
	Name     string `yaml:"name" json:"name"`
	Document any    `yaml:"document" json:"document"`
}

// UserFixture is a RAM user: its AccessKeys (at most two) and the policies attached to it,
// by name (the account's custom policies first, then the system policies) or inline.
type UserFixture struct {
	Name           string      `yaml:"name" json:"name"`
	AccessKeys     []AccessKey `yaml:"accessKeys,omitempty" json:"accessKeys,omitempty"`
	Policies       []string    `yaml:"policies,omitempty" json:"policies,omitempty"`
	InlinePolicies []any       `yaml:"inlinePolicies,omitempty" json:"inlinePolicies,omitempty"`
}

// RoleFixture is a RAM role: who may assume it (Trust, a trust policy; absent, every
// identity of its own account) and what its sessions may do.
type RoleFixture struct {
	Name           string   `yaml:"name" json:"name"`
	Trust          any      `yaml:"trust,omitempty" json:"trust,omitempty"`
	Policies       []string `yaml:"policies,omitempty" json:"policies,omitempty"`
	InlinePolicies []any    `yaml:"inlinePolicies,omitempty" json:"inlinePolicies,omitempty"`
	// MaxSessionDuration bounds AssumeRole's DurationSeconds, in seconds (3600 when 0).
	MaxSessionDuration int `yaml:"maxSessionDuration,omitempty" json:"maxSessionDuration,omitempty"`
}

// ParseFixtures reads fixtures YAML (JSON is YAML too) and checks that it is usable.
func ParseFixtures(data []byte) (*Fixtures, error) {
	var f Fixtures
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	if len(f.Accounts) == 0 {
		return nil, fmt.Errorf("fixtures: no accounts")
	}
	seenKey, seenAcct := map[string]bool{}, map[string]bool{}
	for _, a := range f.Accounts {
		if a.ID == "" || seenAcct[a.ID] {
			return nil, fmt.Errorf("fixtures: account id %q missing or repeated", a.ID)
		}
		seenAcct[a.ID] = true
		keys := a.AccessKeys
		if a.RAM != nil {
			for _, u := range a.RAM.Users {
				keys = append(keys, u.AccessKeys...)
			}
		}
		for _, k := range keys {
			if k.ID == "" || k.Secret == "" || seenKey[k.ID] {
				return nil, fmt.Errorf("fixtures: account %s: access key %q incomplete or repeated", a.ID, k.ID)
			}
			if k.Status != "" && k.Status != keyActive && k.Status != keyInactive {
				return nil, fmt.Errorf("fixtures: account %s: access key %q has status %q, not Active or Inactive", a.ID, k.ID, k.Status)
			}
			seenKey[k.ID] = true
		}
	}
	return &f, nil
}

// The two states of an AccessKey.
const (
	keyActive   = "Active"
	keyInactive = "Inactive"
)

// policyJSON turns a fixture's policy (an object, or JSON text) into the document's bytes.
func policyJSON(doc any) ([]byte, error) {
	switch d := doc.(type) {
	case nil:
		return nil, fmt.Errorf("no policy document")
	case string:
		return []byte(d), nil
	default:
		return json.Marshal(normalizeYAML(d))
	}
}

// rawKinds turns one account's fixture state into the per-kind JSON that domains seed from.
func rawKinds(state map[string]any) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(state))
	for kind, v := range state {
		b, err := json.Marshal(normalizeYAML(v))
		if err != nil {
			return nil, fmt.Errorf("state.%s: %w", kind, err)
		}
		out[kind] = b
	}
	return out, nil
}

// normalizeYAML converts map[any]any (which JSON cannot encode) from older YAML decoders.
func normalizeYAML(v any) any {
	switch t := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, val := range t {
			m[fmt.Sprint(k)] = normalizeYAML(val)
		}
		return m
	case map[string]any:
		for k, val := range t {
			t[k] = normalizeYAML(val)
		}
		return t
	case []any:
		for i, val := range t {
			t[i] = normalizeYAML(val)
		}
		return t
	}
	return v
}
