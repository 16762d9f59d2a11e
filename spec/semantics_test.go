package spec

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// untouched are parameters the semantic annotations leave out on purpose, with the reason.
var untouched = map[string]string{
	"OwnerId":                                     "an account parameter the gateway reads; it narrows nothing",
	"ResourceOwnerAccount":                        "an account parameter the gateway reads; it narrows nothing",
	"CreateCrossZoneMigrationJob.AutoPay":         "whether the target's bill is paid automatically: nothing the contract shows",
	"CreateCrossZoneMigrationJob.Disk":            "the job shows no list of the instance's disks",
	"CreateCrossZoneMigrationJob.InstanceId":      "names an ECS instance of the target's account: no value is valid everywhere",
	"CreateCrossZoneMigrationJob.TargetVSwitchId": "names a vSwitch of the target's account: no value is valid everywhere",
	"CreateCrossZoneMigrationJob.TargetZoneId":    "the job shows no target zone of its own",
	"CreateReplicationJob.Disks":                  "the v2 layout is shown in the answer's Disks, whose shape is not the request's",
	"ScheduledStartTime":                          "a time relative to the target's clock: the lifecycle specs cover what it does",
	"ValidTime":                                   "a time relative to the target's clock: the lifecycle specs cover what it does",
	"VpcId":                                       "names a VPC of the target's account: no value is valid everywhere",
	"DestinationUid":                              "the answer shows the two ends' owners, not the value sent",
	"CreateDiskReplicaPair.PeriodUnit":            "Month is its only value",
	"RPO":                                         "900 is its only value and the default: sent or not, it shows the same",
}

func skipped(a *Action, p *Param) bool {
	_, all := untouched[p.Name]
	_, one := untouched[a.Name+"."+p.Name]
	return all || one
}

// pagingParam reports whether a parameter belongs to one of the list's paging styles.
func pagingParam(l *List, name string) bool {
	for _, pg := range l.Paging {
		if slices.Contains([]string{pg.Number, pg.Size, pg.Token}, name) {
			return true
		}
	}
	return false
}

// Every list says where its items are, and every optional parameter of a list narrows it
// in a way the contract states, so that a target ignoring one can be caught.
func TestEveryListAndFilterIsAnnotated(t *testing.T) {
	for _, a := range MustDefault().Actions() {
		if a.Write || a.Name == "DescribeDiskReplicaPairProgress" {
			continue
		}
		if a.List == nil {
			t.Errorf("%s: a read without x-acs-list", a.Name)
			continue
		}
		for _, p := range a.Params {
			if p.Required || skipped(a, p) || pagingParam(a.List, p.Name) {
				continue
			}
			if p.Filter == nil {
				t.Errorf("%s: optional parameter %s has no x-acs-filter", a.Name, p.Name)
			}
		}
	}
}

// Names, descriptions, tags and every other optional write parameter show up somewhere a
// client can read them back, or change what the call does (a flag or a state effect).
func TestEveryWriteParameterHasAnObservableEffect(t *testing.T) {
	for _, a := range MustDefault().Actions() {
		if !a.Write || !(strings.HasPrefix(a.Name, "Create") || strings.HasPrefix(a.Name, "Modify")) {
			continue
		}
		for _, p := range a.Params {
			if p.Required || skipped(a, p) || p.Idempotency != nil {
				continue
			}
			if p.RoundTrip == nil && p.Flag == nil && !conditioned(a, p.Name) && !requiredBy(a, p.Name) {
				t.Errorf("%s: %s has no round trip, flag or conditioned effect; annotate it or say in untouched why not", a.Name, p.Name)
			}
		}
	}
}

func conditioned(a *Action, name string) bool {
	for _, e := range a.Effects {
		if e.When != nil && e.When.Param == name {
			return true
		}
	}
	for _, pc := range a.Preconditions {
		if pc.When != nil && pc.When.Param == name {
			return true
		}
	}
	return false
}

func requiredBy(a *Action, name string) bool {
	for _, r := range a.Requires {
		if r.If.Param == name || slices.Contains(r.Then, name) {
			return true
		}
	}
	return false
}

// Every ClientToken is an idempotency token, and every boolean of a write says what it does.
func TestTokensAndFlagsAreAnnotated(t *testing.T) {
	for _, a := range MustDefault().Actions() {
		for _, p := range a.Params {
			if p.Name == "ClientToken" && p.Idempotency == nil {
				t.Errorf("%s: ClientToken without x-acs-idempotency", a.Name)
			}
			if !a.Write || skipped(a, p) || !p.Schema.Type.Is(openapi3.TypeBoolean) {
				continue
			}
			if p.Flag == nil && p.RoundTrip == nil && !conditioned(a, p.Name) {
				t.Errorf("%s: boolean %s has no x-acs-flag, x-acs-roundtrip or conditioned effect", a.Name, p.Name)
			}
		}
	}
}

// The grammar's checks catch what they promise to: a bad document does not load.
func TestSemanticAnnotationsAreChecked(t *testing.T) {
	data, err := os.ReadFile("testdata/semantics.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base := string(data)
	if _, err := LoadProduct(data); err != nil {
		t.Fatalf("the unbroken document does not load: %v", err)
	}
	cases := []struct {
		name, from, to, want string
	}{
		{"unknown filter field", "x-acs-filter: {field: Name}", "x-acs-filter: {field: Nope}", `field "Nope" is not in the listed item`},
		{"unknown match", "x-acs-filter: {field: Name}", "x-acs-filter: {field: Name, match: sounds-like}", "not one of the grammar's"},
		{"anyOf on a scalar", "x-acs-filter: {field: Name}", "x-acs-filter: {field: Name, match: anyOf}", "anyOf needs a list parameter"},
		{"list items that are not an array", "items: Things", "items: RequestId", "is not an array"},
		{"list of an unknown kind", "kind: Thing\n", "kind: Nothing\n", "kind Nothing is not in x-acs-objects"},
		{"echo of a field the answer lacks", "echo: [PageNumber]", "echo: [PageSize]", "paging field PageSize is not in the response"},
		{"paging parameter that does not exist", "number: PageNumber", "number: Page", "paging parameter Page is not a parameter"},
		{"fixed page size where a size parameter says it", "echo: [PageNumber]}", "echo: [PageNumber], fixed: 50}", "pages paging has a size parameter, not fixed"},
		{"round trip to a field no item has", "x-acs-roundtrip: {field: Name}", "x-acs-roundtrip: {field: Nope}", "items have no Nope"},
		{"flag error that is not documented", "error: Frequency.Needed}", "error: Nope.Nope}", "Nope.Nope is not in x-acs-errors"},
		{"flag on a string", "name: Name\n        in: query\n        x-acs-roundtrip: {field: Name}", "name: Name\n        in: query\n        x-acs-roundtrip: {field: Name}\n        x-acs-flag: {when: {\"true\": {}, \"false\": {}}}", "flag Name is not a boolean"},
	}
	for _, c := range cases {
		if !strings.Contains(base, c.from) {
			t.Fatalf("%s: testdata/rules.yaml lacks %q", c.name, c.from)
		}
		_, err := LoadProduct([]byte(strings.Replace(base, c.from, c.to, 1)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: load error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
