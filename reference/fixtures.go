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

// AccessKey is one AccessKey pair of an account.
type AccessKey struct {
	ID     string `yaml:"id" json:"id"`
	Secret string `yaml:"secret" json:"secret"`
}

// AccountFixture is an account, its keys and its objects in the GET /_smcct/state shape.
type AccountFixture struct {
	ID         string         `yaml:"id" json:"id"`
	Name       string         `yaml:"name" json:"name"`
	AccessKeys []AccessKey    `yaml:"accessKeys" json:"accessKeys"`
	State      map[string]any `yaml:"state" json:"state"`
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
		for _, k := range a.AccessKeys {
			if k.ID == "" || k.Secret == "" || seenKey[k.ID] {
				return nil, fmt.Errorf("fixtures: account %s: access key %q incomplete or repeated", a.ID, k.ID)
			}
			seenKey[k.ID] = true
		}
	}
	return &f, nil
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
