package reference

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// ebsState is the ebs share of an account: the ECS disks replica pairs are built from, replica
// groups, replica pairs and disaster-recovery drills. Objects sit in slices in creation order,
// which is the order the Describe actions list them in and survives a JSON round trip as is.
// The JSON form is the dump shape (API field names) plus each object's Lifecycle bookkeeping.
type ebsState struct {
	Disks  []*ebsDisk      `json:"disks"`
	Groups []*replicaGroup `json:"replicaGroups"`
	Pairs  []*replicaPair  `json:"replicaPairs"`
	Drills []*replicaDrill `json:"drills"`
	// PairDrills are the drills of single pairs (StartPairDrill), apart from group drills:
	// the two kinds answer different actions and an ID of one is unknown to the other.
	PairDrills []*pairDrill `json:"pairDrills"`

	now int64 // business time of the last advance; force() has no clock of its own
}

// ebsDisk is an ECS disk, seeded from fixtures; the EBS API only refers to it.
type ebsDisk struct {
	DiskId   string `json:"DiskId"`
	RegionId string `json:"RegionId"`
	ZoneId   string `json:"ZoneId"`
	Size     int64  `json:"Size"` // GiB
	Category string `json:"Category,omitempty"`
	Status   string `json:"Status,omitempty"`
}

// State implements Stateful.
func (d *ebsDisk) State(field string) string {
	if field == "Status" {
		return d.Status
	}
	return ""
}

type ebsTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// replicaGroup is a replication pair-consistent group. Source*/Destination* is the current
// direction, Primary*/Standby* the direction it was created with. Its pairs are the pairs
// whose ReplicaGroupId names it, so membership has a single source of truth.
type replicaGroup struct {
	ReplicaGroupId      string   `json:"ReplicaGroupId"`
	GroupName           string   `json:"GroupName,omitempty"`
	Description         string   `json:"Description,omitempty"`
	ResourceGroupId     string   `json:"ResourceGroupId,omitempty"`
	SourceRegionId      string   `json:"SourceRegionId"`
	SourceZoneId        string   `json:"SourceZoneId"`
	DestinationRegionId string   `json:"DestinationRegionId"`
	DestinationZoneId   string   `json:"DestinationZoneId"`
	PrimaryRegion       string   `json:"PrimaryRegion"`
	PrimaryZone         string   `json:"PrimaryZone"`
	StandbyRegion       string   `json:"StandbyRegion"`
	StandbyZone         string   `json:"StandbyZone"`
	Bandwidth           int64    `json:"Bandwidth,omitempty"`
	EnableRtc           bool     `json:"EnableRtc"`
	Tags                []ebsTag `json:"Tags,omitempty"`
	// DestinationCloudId is a v1-only parameter, kept to be echoed back as for pairs.
	DestinationCloudId string `json:"DestinationCloudId,omitempty"`
	replication
}

// replicaPair is one asynchronous replication pair between two disks in different regions.
type replicaPair struct {
	ReplicaPairId     string   `json:"ReplicaPairId"`
	PairName          string   `json:"PairName,omitempty"`
	Description       string   `json:"Description,omitempty"`
	ResourceGroupId   string   `json:"ResourceGroupId,omitempty"`
	ReplicaGroupId    string   `json:"ReplicaGroupId,omitempty"`
	SourceDiskId      string   `json:"SourceDiskId"`
	SourceRegion      string   `json:"SourceRegion"`
	SourceZoneId      string   `json:"SourceZoneId"`
	DestinationDiskId string   `json:"DestinationDiskId"`
	DestinationRegion string   `json:"DestinationRegion"`
	DestinationZoneId string   `json:"DestinationZoneId"`
	PrimaryRegion     string   `json:"PrimaryRegion"`
	PrimaryZone       string   `json:"PrimaryZone"`
	StandbyRegion     string   `json:"StandbyRegion"`
	StandbyZone       string   `json:"StandbyZone"`
	Bandwidth         int64    `json:"Bandwidth,omitempty"`
	EnableRtc         bool     `json:"EnableRtc"`
	ChargeType        string   `json:"ChargeType,omitempty"`
	CreateTime        int64    `json:"CreateTime"`
	ExpiredTime       int64    `json:"ExpiredTime,omitempty"`
	StatusMessage     string   `json:"StatusMessage,omitempty"`
	OrderId           string   `json:"OrderId,omitempty"`
	Tags              []ebsTag `json:"Tags,omitempty"`
	// DestinationCloudId and DestinationUid are v1-only parameters, kept to be echoed back.
	DestinationCloudId string `json:"DestinationCloudId,omitempty"`
	DestinationUid     string `json:"DestinationUid,omitempty"`
	replication
}

// drillRun is what group and pair drills share: a status that moves with the clock, the
// recovery point copied and when the drill began.
type drillRun struct {
	Status        string  `json:"Status"`
	StatusMessage string  `json:"StatusMessage,omitempty"`
	RecoverPoint  int64   `json:"RecoverPoint"`
	StartAt       int64   `json:"StartAt"`
	Life          ebsLife `json:"Lifecycle"`
}

// State implements Stateful.
func (d *drillRun) State(field string) string {
	if field == "Status" {
		return d.Status
	}
	return ""
}

// replicaDrill is a disaster-recovery drill of a group: a copy of each secondary disk at the
// group's last recovery point.
type replicaDrill struct {
	DrillId   string      `json:"DrillId"`
	GroupId   string      `json:"GroupId"`
	PairsInfo []drillPair `json:"PairsInfo"`
	drillRun
}

// pairDrill is a disaster-recovery drill of one pair: a copy of its secondary disk at the
// pair's last recovery point.
type pairDrill struct {
	DrillId         string `json:"DrillId"`
	PairId          string `json:"PairId"`
	DrillDiskId     string `json:"DrillDiskId"`
	DrillDiskStatus string `json:"DrillDiskStatus"`
	drillRun
}

type drillPair struct {
	PairId          string `json:"PairId"`
	DrillDiskId     string `json:"DrillDiskId"`
	DrillDiskStatus string `json:"DrillDiskStatus"`
}

var (
	groupStatuses = []string{"invalid", "creating", "created", "create_failed", "manual_syncing",
		"syncing", "normal", "stopping", "stopped", "stop_failed", "failovering", "failovered",
		"failover_failed", "reprotecting", "reprotect_failed", "deleting", "delete_failed", "deleted"}
	// pairStatuses adds initial_syncing: only pairs show the first full sync by name.
	pairStatuses  = append([]string{"initial_syncing"}, groupStatuses...)
	drillStatuses = []string{"executing", "executed", "execute_failed", "clearing", "clear_failed"}
)

func newEBSState() *ebsState { return &ebsState{} }

// advance runs every lifecycle up to now and drops the objects whose deletion completed.
func (s *ebsState) advance(now time.Time) {
	t := now.Unix()
	if t > s.now {
		s.now = t
	}
	groups, pairs := len(s.Groups), len(s.Pairs)
	s.Groups = ebsKeep(s.Groups, func(g *replicaGroup) bool { return !g.advance(s.now) })
	s.Pairs = ebsKeep(s.Pairs, func(p *replicaPair) bool { return !p.advance(s.now) })
	s.Drills = ebsKeep(s.Drills, func(d *replicaDrill) bool { return !d.advance(s.now) })
	s.PairDrills = ebsKeep(s.PairDrills, func(d *pairDrill) bool { return !d.advance(s.now) })
	// A drill goes with the group or pair it was run on: nothing could list or clear it.
	if len(s.Groups) < groups && len(s.Drills) > 0 {
		live := byKey(s.Groups)
		s.Drills = ebsKeep(s.Drills, func(d *replicaDrill) bool { return live[d.GroupId] != nil })
	}
	if len(s.Pairs) < pairs && len(s.PairDrills) > 0 {
		live := byKey(s.Pairs)
		s.PairDrills = ebsKeep(s.PairDrills, func(d *pairDrill) bool { return live[d.PairId] != nil })
	}
}

// keep filters a slice in place, preserving order.
func ebsKeep[T any](xs []T, ok func(T) bool) []T {
	out := xs[:0]
	for _, x := range xs {
		if ok(x) {
			out = append(out, x)
		}
	}
	clear(xs[len(out):])
	return out
}

// dump returns a deep copy of every object in the dump shape.
func (s *ebsState) dump() map[string]any {
	b, err := json.Marshal(s)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return map[string]any{"error": err.Error()}
	}
	for k, v := range out {
		if v == nil { // every field is a list: an empty kind is [], as the smc kinds are
			out[k] = []any{}
		}
	}
	return out
}

// lookup finds an object for the contract's existence checks and preconditions.
func (s *ebsState) lookup(kind, id string) (Stateful, bool) {
	switch kind {
	case "ReplicaGroup":
		if g := s.group(id); g != nil {
			return g, true
		}
	case "ReplicaPair":
		if p := s.pair(id); p != nil {
			return p, true
		}
	case "Disk":
		if d := s.disk(id); d != nil {
			return d, true
		}
	case "Drill", "ReplicaGroupDrill":
		if d := s.drill(id); d != nil {
			return d, true
		}
	case "PairDrill":
		if d := s.pairDrill(id); d != nil {
			return d, true
		}
	}
	return nil, false
}

func (s *ebsState) group(id string) *replicaGroup { return find(s.Groups, id) }

func (s *ebsState) pair(id string) *replicaPair { return find(s.Pairs, id) }

func (s *ebsState) disk(id string) *ebsDisk { return find(s.Disks, id) }

func (s *ebsState) drill(id string) *replicaDrill { return find(s.Drills, id) }

func (s *ebsState) pairDrill(id string) *pairDrill { return find(s.PairDrills, id) }

// members returns a group's pairs in creation order.
func (s *ebsState) members(groupID string) []*replicaPair {
	var out []*replicaPair
	for _, p := range s.Pairs {
		if p.ReplicaGroupId == groupID {
			out = append(out, p)
		}
	}
	return out
}

// pairUsingDisk returns the pair that replicates a disk in either direction, if any.
func (s *ebsState) pairUsingDisk(diskID string) *replicaPair {
	for _, p := range s.Pairs {
		if p.SourceDiskId == diskID || p.DestinationDiskId == diskID {
			return p
		}
	}
	return nil
}

// force overwrites state fields of one object (control plane). Status goes through enter, so
// a forced transitional status still settles the way the service's would.
func (s *ebsState) force(id string, fields map[string]string) (string, error) {
	if g := s.group(id); g != nil {
		return "replicaGroups", forceReplication(&g.replication, groupStatuses, fields, s.now)
	}
	if p := s.pair(id); p != nil {
		return "replicaPairs", forceReplication(&p.replication, pairStatuses, fields, s.now)
	}
	if d := s.disk(id); d != nil {
		return "disks", ebsForceFields(fields, map[string]func(string) error{
			"Status": func(v string) error { d.Status = v; return nil },
		})
	}
	if d := s.drill(id); d != nil {
		return "drills", forceDrill(d.enter, fields, s.now)
	}
	if d := s.pairDrill(id); d != nil {
		return "pairDrills", forceDrill(d.enter, fields, s.now)
	}
	return "", nil
}

func forceDrill(enter func(status string, now int64), fields map[string]string, now int64) error {
	return ebsForceFields(fields, map[string]func(string) error{
		"Status": func(v string) error {
			if !contains(drillStatuses, v) {
				return fmt.Errorf("drill status %q is not one of %v", v, drillStatuses)
			}
			enter(v, now)
			return nil
		},
	})
}

func forceReplication(r *replication, statuses []string, fields map[string]string, now int64) error {
	return ebsForceFields(fields, map[string]func(string) error{
		"Status": func(v string) error {
			if !contains(statuses, v) {
				return fmt.Errorf("status %q is not one of %v", v, statuses)
			}
			r.enter(v, now)
			return nil
		},
		"LastRecoverPoint": func(v string) error { return ebsParseInt(v, &r.LastRecoverPoint) },
		"RPO":              func(v string) error { return ebsParseInt(v, &r.RPO) },
	})
}

// ebsForceFields applies every field or none: an unknown field fails before anything changes.
func ebsForceFields(fields map[string]string, setters map[string]func(string) error) error {
	for name := range fields {
		if _, ok := setters[name]; !ok {
			return fmt.Errorf("field %q cannot be forced", name)
		}
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	// Status last, so that it enters its lifecycle with the other forced values (RPO) in place.
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "Status") != (names[j] == "Status") {
			return names[j] == "Status"
		}
		return names[i] < names[j]
	})
	for _, name := range names {
		if err := setters[name](fields[name]); err != nil {
			return fmt.Errorf("field %s: %w", name, err)
		}
	}
	return nil
}

func ebsParseInt(v string, dst *int64) error {
	var n int64
	if _, err := fmt.Sscan(v, &n); err != nil {
		return fmt.Errorf("%q is not an integer", v)
	}
	*dst = n
	return nil
}

func (s *ebsState) diskSize(id string) int64 {
	if d := s.disk(id); d != nil {
		return d.Size
	}
	return 0
}
