package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/smcct/smcct/fixtures"
	"github.com/smcct/smcct/suites/framework"
)

// profileFlags are the profile fields a flag may override.
type profileFlags struct {
	config       string
	timeScale    float64
	specBudget   time.Duration
	objectBudget int
	runTag       string
}

func (p *profileFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&p.config, "target-config", "", "a target profile (YAML): regions, objects the API cannot create, a second account, time scale, budgets, run tag (docs/target-profile.yaml)")
	fl.Float64Var(&p.timeScale, "time-scale", 0, "how many times faster than the contract's durations the target's lifecycles run (default: the profile's, else measured from the target's clock)")
	fl.DurationVar(&p.specBudget, "spec-budget", 0, "the most wall time one spec may wait for its states (default: the profile's, else 5m)")
	fl.IntVar(&p.objectBudget, "object-budget", 0, "the most objects one spec may create (default: the profile's, else 20)")
	fl.StringVar(&p.runTag, "run-tag", "", "the name prefix of every object a run creates, which smcct sweep looks for (default: the profile's, else smcct)")
}

// profile is the target profile of an endpoint run: the file given, else the reference's
// fixtures when the credentials are a fixture account's (an smcct serve elsewhere), else an
// empty one. Flags override its fields; every value is checked before any call is made.
func (p *profileFlags) profile(fl *pflag.FlagSet, keyID string) (*framework.Profile, error) {
	var prof *framework.Profile
	var err error
	switch {
	case p.config != "":
		prof, err = framework.LoadProfile(p.config)
	default:
		prof, err = fixtureProfile(fixtures.Default, keyID)
	}
	if err != nil {
		return nil, err
	}
	if fl.Changed("time-scale") {
		prof.TimeScale = p.timeScale
	}
	if fl.Changed("spec-budget") {
		prof.SpecBudget = framework.Duration(p.specBudget)
	}
	if fl.Changed("object-budget") {
		prof.ObjectBudget = p.objectBudget
	}
	if fl.Changed("run-tag") {
		prof.RunTag = p.runTag
	}
	if err := prof.Check(); err != nil {
		return nil, fmt.Errorf("target profile (%s, with flags): %w", prof.Source, err)
	}
	return prof, nil
}

// fixtureFile is the part of the fixtures format a profile is made from.
type fixtureFile struct {
	Regions []struct {
		RegionID string   `yaml:"regionId"`
		Zones    []string `yaml:"zones"`
	} `yaml:"regions"`
	Accounts []struct {
		ID         string `yaml:"id"`
		AccessKeys []struct {
			ID     string `yaml:"id"`
			Secret string `yaml:"secret"`
		} `yaml:"accessKeys"`
		State struct {
			SourceServers []struct {
				SourceID string `yaml:"SourceId"`
				State    string `yaml:"State"`
			} `yaml:"sourceServers"`
			Disks []struct {
				DiskID   string `yaml:"DiskId"`
				RegionID string `yaml:"RegionId"`
				ZoneID   string `yaml:"ZoneId"`
				Size     int    `yaml:"Size"`
				Status   string `yaml:"Status"`
			} `yaml:"disks"`
		} `yaml:"state"`
	} `yaml:"accounts"`
}

// fixtureProfile is the profile of a reference serving the given fixtures, for the account
// whose AccessKeyId is keyID: its source servers and disks, and the first other account
// with a key as the second account. A key no fixture account holds gets an empty profile.
func fixtureProfile(data []byte, keyID string) (*framework.Profile, error) {
	var ff fixtureFile
	if err := yaml.Unmarshal(data, &ff); err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	prof := &framework.Profile{Source: "the built-in fixtures' objects", SourceServers: map[string][]string{}}
	mine := -1
	for i, a := range ff.Accounts {
		for _, k := range a.AccessKeys {
			if k.ID == keyID {
				mine = i
			}
		}
	}
	if mine < 0 {
		prof.Source = "an empty profile (the credentials are none of the built-in fixtures' accounts)"
		return prof, nil
	}
	acct := ff.Accounts[mine]
	for _, s := range acct.State.SourceServers {
		prof.SourceServers[s.State] = append(prof.SourceServers[s.State], s.SourceID)
	}
	for _, ids := range prof.SourceServers {
		sort.Strings(ids)
	}
	for _, d := range acct.State.Disks {
		prof.Disks = append(prof.Disks, framework.Disk{ID: d.DiskID, Region: d.RegionID, Zone: d.ZoneID, Size: d.Size, Status: d.Status})
	}
	prof.Replication = busiestZones(prof.Disks)
	for i, a := range ff.Accounts {
		if i != mine && len(a.AccessKeys) > 0 {
			prof.Other = framework.Identity{AccessKeyID: a.AccessKeys[0].ID, AccessKeySecret: a.AccessKeys[0].Secret}
			break
		}
	}
	return prof, nil
}

// busiestZones picks the zone with the most disks as the source of replication and the
// busiest zone of another region as its destination, so that most disk pairs share zones
// (a group's member pairs must).
func busiestZones(disks []framework.Disk) framework.Replication {
	count := map[framework.Site]int{}
	for _, d := range disks {
		count[framework.Site{Region: d.Region, Zone: d.Zone}]++
	}
	sites := make([]framework.Site, 0, len(count))
	for s := range count {
		sites = append(sites, s)
	}
	sort.Slice(sites, func(i, j int) bool {
		if count[sites[i]] != count[sites[j]] {
			return count[sites[i]] > count[sites[j]]
		}
		return sites[i].Zone < sites[j].Zone
	})
	var r framework.Replication
	for _, s := range sites {
		switch {
		case r.Source.Zone == "":
			r.Source = s
		case s.Region != r.Source.Region:
			r.Destination = s
			return r
		}
	}
	return framework.Replication{}
}
