package reference

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// seed adds or replaces objects given in the dump shape. Disks come first, then groups, pairs
// (which may name a group and disks) and drills (which name a group or a pair), so one call
// can bring a whole consistent state. Unknown fields are refused: a typo in a fixture should not pass
// silently. An object seeded without Lifecycle enters its status as if the service had just
// put it there.
func (s *ebsState) seed(kinds map[string]json.RawMessage, now time.Time) error {
	if t := now.Unix(); t > s.now {
		s.now = t
	}
	steps := []struct {
		kind string
		load func(json.RawMessage) error
	}{
		{"disks", s.seedDisks},
		{"replicaGroups", s.seedGroups},
		{"replicaPairs", s.seedPairs},
		{"drills", s.seedDrills},
		{"pairDrills", s.seedPairDrills},
	}
	for _, st := range steps {
		raw, ok := kinds[st.kind]
		if !ok || len(raw) == 0 || string(raw) == "null" {
			continue
		}
		if err := st.load(raw); err != nil {
			return fmt.Errorf("%s: %w", st.kind, err)
		}
	}
	return nil
}

func ebsDecodeStrict(raw json.RawMessage, out any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(out)
}

func (s *ebsState) seedDisks(raw json.RawMessage) error {
	var disks []*ebsDisk
	if err := ebsDecodeStrict(raw, &disks); err != nil {
		return err
	}
	for i, d := range disks {
		if d == nil || d.DiskId == "" || d.RegionId == "" || d.ZoneId == "" || d.Size <= 0 {
			return fmt.Errorf("entry %d: DiskId, RegionId, ZoneId and a positive Size are required", i)
		}
		if d.Status == "" {
			d.Status = "Available"
		}
	}
	s.Disks = upsertAll(s.Disks, disks)
	return nil
}

func (s *ebsState) seedGroups(raw json.RawMessage) error {
	var groups []*replicaGroup
	if err := ebsDecodeStrict(raw, &groups); err != nil {
		return err
	}
	for i, g := range groups {
		if g == nil || g.ReplicaGroupId == "" || g.SourceRegionId == "" || g.SourceZoneId == "" ||
			g.DestinationRegionId == "" || g.DestinationZoneId == "" {
			return fmt.Errorf("entry %d: ReplicaGroupId and the source and destination regions and zones are required", i)
		}
		g.PrimaryRegion = ebsOr(g.PrimaryRegion, g.SourceRegionId)
		g.PrimaryZone = ebsOr(g.PrimaryZone, g.SourceZoneId)
		g.StandbyRegion = ebsOr(g.StandbyRegion, g.DestinationRegionId)
		g.StandbyZone = ebsOr(g.StandbyZone, g.DestinationZoneId)
		if err := s.seedReplication(&g.replication, groupStatuses); err != nil {
			return fmt.Errorf("group %s: %w", g.ReplicaGroupId, err)
		}
	}
	s.Groups = upsertAll(s.Groups, groups)
	return nil
}

func (s *ebsState) seedPairs(raw json.RawMessage) error {
	var pairs []*replicaPair
	if err := ebsDecodeStrict(raw, &pairs); err != nil {
		return err
	}
	groups, disks := byKey(s.Groups), byKey(s.Disks) // one lookup per pair, not one scan
	for i, p := range pairs {
		if p == nil || p.ReplicaPairId == "" || p.SourceDiskId == "" || p.DestinationDiskId == "" {
			return fmt.Errorf("entry %d: ReplicaPairId, SourceDiskId and DestinationDiskId are required", i)
		}
		if p.ReplicaGroupId != "" && groups[p.ReplicaGroupId] == nil {
			return fmt.Errorf("pair %s: group %s does not exist", p.ReplicaPairId, p.ReplicaGroupId)
		}
		if err := placePair(p, disks); err != nil {
			return fmt.Errorf("pair %s: %w", p.ReplicaPairId, err)
		}
		if p.CreateTime == 0 {
			p.CreateTime = s.now
		}
		if err := s.seedReplication(&p.replication, pairStatuses); err != nil {
			return fmt.Errorf("pair %s: %w", p.ReplicaPairId, err)
		}
	}
	s.Pairs = upsertAll(s.Pairs, pairs)
	return nil
}

// placePair fills a seeded pair's regions and zones from its disks when they are left out.
func placePair(p *replicaPair, disks map[string]*ebsDisk) error {
	if src := disks[p.SourceDiskId]; src != nil {
		p.SourceRegion, p.SourceZoneId = ebsOr(p.SourceRegion, src.RegionId), ebsOr(p.SourceZoneId, src.ZoneId)
	}
	if dst := disks[p.DestinationDiskId]; dst != nil {
		p.DestinationRegion = ebsOr(p.DestinationRegion, dst.RegionId)
		p.DestinationZoneId = ebsOr(p.DestinationZoneId, dst.ZoneId)
	}
	if p.SourceRegion == "" || p.SourceZoneId == "" || p.DestinationRegion == "" || p.DestinationZoneId == "" {
		return fmt.Errorf("regions and zones are required when the disks are not seeded")
	}
	p.PrimaryRegion, p.PrimaryZone = ebsOr(p.PrimaryRegion, p.SourceRegion), ebsOr(p.PrimaryZone, p.SourceZoneId)
	p.StandbyRegion = ebsOr(p.StandbyRegion, p.DestinationRegion)
	p.StandbyZone = ebsOr(p.StandbyZone, p.DestinationZoneId)
	return nil
}

func (s *ebsState) seedDrills(raw json.RawMessage) error {
	var drills []*replicaDrill
	if err := ebsDecodeStrict(raw, &drills); err != nil {
		return err
	}
	groups := byKey(s.Groups)
	for i, d := range drills {
		if d == nil || d.DrillId == "" || d.GroupId == "" {
			return fmt.Errorf("entry %d: DrillId and GroupId are required", i)
		}
		if groups[d.GroupId] == nil {
			return fmt.Errorf("drill %s: group %s does not exist", d.DrillId, d.GroupId)
		}
		if err := seedDrillRun(&d.drillRun, d.DrillId); err != nil {
			return err
		}
		if d.Life == (ebsLife{}) {
			d.enter(d.Status, s.now)
		}
		if d.PairsInfo == nil {
			d.PairsInfo = []drillPair{}
		}
	}
	s.Drills = upsertAll(s.Drills, drills)
	return nil
}

func (s *ebsState) seedPairDrills(raw json.RawMessage) error {
	var drills []*pairDrill
	if err := ebsDecodeStrict(raw, &drills); err != nil {
		return err
	}
	pairs := byKey(s.Pairs)
	for i, d := range drills {
		if d == nil || d.DrillId == "" || d.PairId == "" {
			return fmt.Errorf("entry %d: DrillId and PairId are required", i)
		}
		if pairs[d.PairId] == nil {
			return fmt.Errorf("drill %s: pair %s does not exist", d.DrillId, d.PairId)
		}
		if err := seedDrillRun(&d.drillRun, d.DrillId); err != nil {
			return err
		}
		if d.Life == (ebsLife{}) {
			d.enter(d.Status, s.now)
		}
	}
	s.PairDrills = upsertAll(s.PairDrills, drills)
	return nil
}

// seedDrillRun checks a seeded drill's status, executed when none is given.
func seedDrillRun(d *drillRun, id string) error {
	d.Status = ebsOr(d.Status, "executed")
	if !contains(drillStatuses, d.Status) {
		return fmt.Errorf("drill %s: status %q is not one of %v", id, d.Status, drillStatuses)
	}
	return nil
}

// seedReplication checks a seeded status and starts its lifecycle unless one was given.
func (s *ebsState) seedReplication(r *replication, statuses []string) error {
	r.Status = ebsOr(r.Status, "created")
	if !contains(statuses, r.Status) {
		return fmt.Errorf("status %q is not one of %v", r.Status, statuses)
	}
	if r.RPO <= 0 {
		r.RPO = ebsDefaultRPO
	}
	if r.Life == (ebsLife{}) {
		r.enter(r.Status, s.now)
	}
	return nil
}

func ebsOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
