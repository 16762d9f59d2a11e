package framework

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/smcct/smcct/spec"
)

// Profile describes what a target account offers the suites beyond its API: where to work,
// the objects the API cannot create, a second account, how fast its lifecycles run and how
// much a run may spend. `smcct check --target-config FILE` reads one (YAML, commented example
// in docs/target-profile.yaml); flags override its fields.
type Profile struct {
	// Endpoint is the target's URL; --endpoint overrides it.
	Endpoint string `yaml:"endpoint"`
	// Region is the RegionId of SMC calls.
	Region string `yaml:"region"`
	// Replication is where EBS replica groups and pairs replicate from and to.
	Replication Replication `yaml:"replication"`
	// SourceServers are registered by the SMC agent, so the API cannot create them; listed by
	// the State they are in (Available, Unavailable).
	SourceServers map[string][]string `yaml:"sourceServers"`
	// Disks are ECS disks replica pairs may use; ECS owns them, EBS only names them.
	Disks []Disk `yaml:"disks"`
	// Other is a second account, for the isolation specs.
	Other Identity `yaml:"other"`
	// RAM names identities of the account that the authorization specs use where the
	// target has no control plane to make them.
	RAM RAMIdentities `yaml:"ram"`
	// TimeScale is how many times faster than the contract's durations the target's
	// lifecycles run (60 for `smcct serve --time-scale 60`); 0 means unknown.
	TimeScale float64 `yaml:"timeScale"`
	// SpecBudget is the most wall time one spec may wait for objects to reach their states;
	// a longer path is skipped with its estimate.
	SpecBudget Duration `yaml:"specBudget"`
	// ObjectBudget is the most objects one spec may create; a plan needing more is skipped.
	ObjectBudget int `yaml:"objectBudget"`
	// RunTag marks every object a run creates (name prefix and tag), so that `smcct sweep`
	// finds the leftovers of an interrupted run and nothing else.
	RunTag string `yaml:"runTag"`
	// Source says where the profile came from, for messages.
	Source string `yaml:"-"`
}

// Replication is one source and one destination site.
type Replication struct {
	Source      Site `yaml:"source"`
	Destination Site `yaml:"destination"`
}

// Site is a region and a zone.
type Site struct {
	Region string `yaml:"region"`
	Zone   string `yaml:"zone"`
}

// Disk is one ECS disk a replica pair may name.
type Disk struct {
	ID     string `yaml:"id"`
	Region string `yaml:"region"`
	Zone   string `yaml:"zone"`
	// Size in GiB: a full sync's length depends on it.
	Size int `yaml:"size"`
	// Status is its attachment: Available, or In_use when an instance has it.
	Status string `yaml:"status"`
}

// RAMIdentities are RAM identities an account keeps for the suites. A control plane makes
// users with any policies on demand; a real account can only lend ones made beforehand.
type RAMIdentities struct {
	// Unprivileged is a RAM user's key with no permission on SMC or EBS: every action's
	// "without a policy" authorization case is sent with it.
	Unprivileged Identity `yaml:"unprivileged"`
	// Inactive is an AccessKey the account has disabled, for InvalidAccessKeyId.Inactive.
	Inactive Identity `yaml:"inactive"`
}

// Identity is an AccessKey pair, given as values or as the names of environment variables
// that hold them (keep secrets out of files).
type Identity struct {
	AccessKeyID        string `yaml:"accessKeyId"`
	AccessKeySecret    string `yaml:"accessKeySecret"`
	AccessKeyIDEnv     string `yaml:"accessKeyIdEnv"`
	AccessKeySecretEnv string `yaml:"accessKeySecretEnv"`
}

// Credentials resolves the identity; empty when none is given.
func (i Identity) Credentials() Credentials {
	c := Credentials{AccessKeyID: i.AccessKeyID, Secret: i.AccessKeySecret}
	if i.AccessKeyIDEnv != "" {
		c.AccessKeyID = os.Getenv(i.AccessKeyIDEnv)
	}
	if i.AccessKeySecretEnv != "" {
		c.Secret = os.Getenv(i.AccessKeySecretEnv)
	}
	return c
}

// Given reports whether the profile names this identity at all.
func (i Identity) Given() bool { return i.AccessKeyID != "" || i.AccessKeyIDEnv != "" }

// check: a key ID and its secret go together, and the variables named are set.
func (i Identity) check(field string, add func(field, format string, args ...any)) {
	if i.Given() != (i.AccessKeySecret != "" || i.AccessKeySecretEnv != "") {
		add(field, "an AccessKey ID and its secret go together")
	}
	for _, env := range []struct{ field, name string }{{field + ".accessKeyIdEnv", i.AccessKeyIDEnv}, {field + ".accessKeySecretEnv", i.AccessKeySecretEnv}} {
		if env.name != "" && os.Getenv(env.name) == "" {
			add(env.field, "the environment variable %s is not set", env.name)
		}
	}
}

// Duration is a time.Duration written as "5m" or "2h" (or "1d").
type Duration time.Duration

// UnmarshalYAML reads a duration text.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("a duration such as 5m: %w", err)
	}
	v, err := spec.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Defaults of a profile's budgets.
const (
	DefaultSpecBudget   = 5 * time.Minute
	DefaultObjectBudget = 20
	DefaultRunTag       = "smcct"
)

// LoadProfile reads and checks a profile file. Every problem names the field.
func LoadProfile(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("target config: %w", err)
	}
	p, err := ParseProfile(data)
	if err != nil {
		return nil, fmt.Errorf("target config %s: %w", path, err)
	}
	p.Source = path
	return p, nil
}

// ParseProfile decodes a profile, refusing unknown fields, and checks it.
func ParseProfile(data []byte) (*Profile, error) {
	p := &Profile{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil {
		return nil, err
	}
	return p, p.Check()
}

var (
	regionRE = regexp.MustCompile(`^[a-z]{2,}-[a-z0-9-]+$`)
	runTagRE = regexp.MustCompile(`^[a-z][a-z0-9-]{1,23}$`)
)

// Check validates every field against the contract: IDs have their kind's prefix, states are
// the kind's, numbers are positive. It returns all problems at once, each naming its field.
func (p *Profile) Check() error {
	var bad []string
	add := func(field, format string, args ...any) {
		bad = append(bad, field+": "+fmt.Sprintf(format, args...))
	}
	if p.Endpoint != "" && !strings.HasPrefix(p.Endpoint, "http://") && !strings.HasPrefix(p.Endpoint, "https://") {
		add("endpoint", "%q is not an http(s) URL", p.Endpoint)
	}
	if p.Region != "" && !regionRE.MatchString(p.Region) {
		add("region", "%q is not a region ID such as cn-hangzhou", p.Region)
	}
	for name, s := range map[string]Site{"replication.source": p.Replication.Source, "replication.destination": p.Replication.Destination} {
		if s.Region != "" && !regionRE.MatchString(s.Region) {
			add(name+".region", "%q is not a region ID", s.Region)
		}
		if s.Zone != "" && !strings.HasPrefix(s.Zone, s.Region+"-") {
			add(name+".zone", "%q is not a zone of %q", s.Zone, s.Region)
		}
	}
	p.checkObjects(add)
	switch {
	case p.TimeScale < 0:
		add("timeScale", "%v: a speed-up factor cannot be negative", p.TimeScale)
	case p.SpecBudget < 0:
		add("specBudget", "%v cannot be negative", time.Duration(p.SpecBudget))
	case p.ObjectBudget < 0:
		add("objectBudget", "%d cannot be negative", p.ObjectBudget)
	}
	if p.RunTag != "" && !runTagRE.MatchString(p.RunTag) {
		add("runTag", "%q: 2-24 lower-case letters, digits and dashes, starting with a letter (it prefixes names)", p.RunTag)
	}
	p.Other.check("other", add)
	p.RAM.Unprivileged.check("ram.unprivileged", add)
	p.RAM.Inactive.check("ram.inactive", add)
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("%s", strings.Join(bad, "; "))
}

func (p *Profile) checkObjects(add func(field, format string, args ...any)) {
	cat := spec.MustDefault()
	smc, _ := cat.ByName("smc")
	ebs, _ := cat.ByName("ebs")
	src, disk := smc.Objects["SourceServer"], ebs.Objects["Disk"]
	for state, ids := range p.SourceServers {
		if !hasString(src.States["State"], state) {
			add("sourceServers."+state, "not a source server State (%s)", strings.Join(src.States["State"], ", "))
		}
		for i, id := range ids {
			if !strings.HasPrefix(id, src.IDPrefix) || len(id) <= len(src.IDPrefix) {
				add(fmt.Sprintf("sourceServers.%s[%d]", state, i), "%q is not a source server ID (%s...)", id, src.IDPrefix)
			}
		}
	}
	seen := map[string]bool{}
	for i, d := range p.Disks {
		f := fmt.Sprintf("disks[%d]", i)
		switch {
		case !strings.HasPrefix(d.ID, disk.IDPrefix) || len(d.ID) <= len(disk.IDPrefix):
			add(f+".id", "%q is not a disk ID (%s...)", d.ID, disk.IDPrefix)
		case seen[d.ID]:
			add(f+".id", "%s is listed twice", d.ID)
		}
		seen[d.ID] = true
		if !regionRE.MatchString(d.Region) {
			add(f+".region", "%q is not a region ID", d.Region)
		}
		if !strings.HasPrefix(d.Zone, d.Region+"-") {
			add(f+".zone", "%q is not a zone of %q", d.Zone, d.Region)
		}
		if d.Size <= 0 {
			add(f+".size", "%d: the size in GiB must be positive", d.Size)
		}
		if !hasString(disk.States["Status"], d.Status) {
			add(f+".status", "%q is not a disk Status (%s)", d.Status, strings.Join(disk.States["Status"], ", "))
		}
	}
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Budget is the profile's spec budget, or the default.
func (p *Profile) Budget() time.Duration {
	if p == nil || p.SpecBudget <= 0 {
		return DefaultSpecBudget
	}
	return time.Duration(p.SpecBudget)
}

// Objects is the profile's object budget, or the default.
func (p *Profile) Objects() int {
	if p == nil || p.ObjectBudget <= 0 {
		return DefaultObjectBudget
	}
	return p.ObjectBudget
}

// Tag is the profile's run tag, or the default.
func (p *Profile) Tag() string {
	if p == nil || p.RunTag == "" {
		return DefaultRunTag
	}
	return p.RunTag
}
