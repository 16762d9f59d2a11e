package reference

// groupView is a replica group as DescribeDiskReplicaGroups shows it from one site.
type groupView struct {
	ReplicaGroupId      string   `json:"ReplicaGroupId"`
	GroupName           string   `json:"GroupName"`
	Description         string   `json:"Description"`
	ResourceGroupId     string   `json:"ResourceGroupId"`
	Status              string   `json:"Status"`
	Site                string   `json:"Site"`
	SourceRegionId      string   `json:"SourceRegionId"`
	SourceZoneId        string   `json:"SourceZoneId"`
	DestinationRegionId string   `json:"DestinationRegionId"`
	DestinationZoneId   string   `json:"DestinationZoneId"`
	PrimaryRegion       string   `json:"PrimaryRegion"`
	PrimaryZone         string   `json:"PrimaryZone"`
	StandbyRegion       string   `json:"StandbyRegion"`
	StandbyZone         string   `json:"StandbyZone"`
	RPO                 int64    `json:"RPO"`
	Bandwidth           int64    `json:"Bandwidth"`
	EnableRtc           bool     `json:"EnableRtc"`
	LastRecoverPoint    int64    `json:"LastRecoverPoint"`
	PairIds             []string `json:"PairIds"`
	PairNumber          int64    `json:"PairNumber"`
	Tags                []ebsTag `json:"Tags"`
	DestinationCloudId  string   `json:"DestinationCloudId,omitempty"`
}

func (s *ebsState) groupView(g *replicaGroup, where string) groupView {
	ids := []string{}
	for _, p := range s.members(g.ReplicaGroupId) {
		ids = append(ids, p.ReplicaPairId)
	}
	return groupView{
		ReplicaGroupId: g.ReplicaGroupId, GroupName: g.GroupName, Description: g.Description,
		ResourceGroupId: g.ResourceGroupId, Status: g.Status, Site: where,
		SourceRegionId: g.SourceRegionId, SourceZoneId: g.SourceZoneId,
		DestinationRegionId: g.DestinationRegionId, DestinationZoneId: g.DestinationZoneId,
		PrimaryRegion: g.PrimaryRegion, PrimaryZone: g.PrimaryZone,
		StandbyRegion: g.StandbyRegion, StandbyZone: g.StandbyZone,
		RPO: g.RPO, Bandwidth: g.Bandwidth, EnableRtc: g.EnableRtc,
		LastRecoverPoint: g.LastRecoverPoint, PairIds: ids, PairNumber: int64(len(ids)),
		Tags: nonNilTags(g.Tags), DestinationCloudId: g.DestinationCloudId,
	}
}

func createDiskReplicaGroup(c *Ctx) (any, error) {
	s := c.Account.EBS
	if err := checkPlacement(c, true, "RegionId", "SourceZoneId", "DestinationRegionId", "DestinationZoneId"); err != nil {
		return nil, err
	}
	g := &replicaGroup{
		ReplicaGroupId: c.Account.NewID("pg-"), GroupName: c.Str("GroupName"),
		Description: c.Str("Description"), ResourceGroupId: c.Str("ResourceGroupId"),
		SourceRegionId: c.Str("RegionId"), SourceZoneId: c.Str("SourceZoneId"),
		DestinationRegionId: c.Str("DestinationRegionId"), DestinationZoneId: c.Str("DestinationZoneId"),
		Bandwidth: c.Int("Bandwidth", 0), EnableRtc: c.Bool("EnableRtc", false), Tags: ebsTags(c),
		DestinationCloudId: c.Str("DestinationCloudId"),
	}
	g.PrimaryRegion, g.PrimaryZone = g.SourceRegionId, g.SourceZoneId
	g.StandbyRegion, g.StandbyZone = g.DestinationRegionId, g.DestinationZoneId
	g.RPO = c.Int("RPO", ebsDefaultRPO)
	g.enter("creating", s.now)
	s.Groups = append(s.Groups, g)
	return map[string]any{"ReplicaGroupId": g.ReplicaGroupId}, nil
}

// checkPlacement checks that both ends name fixture regions and zones and are two different
// places: a pair crosses regions, a group may also join two zones of one region.
func checkPlacement(c *Ctx, oneRegion bool, srcRegion, srcZone, dstRegion, dstZone string) error {
	for _, end := range [][2]string{{srcRegion, srcZone}, {dstRegion, dstZone}} {
		r, ok := c.Region(c.Str(end[0]))
		if !ok {
			return ebsInvalidParam(c, end[0])
		}
		if !contains(r.Zones, c.Str(end[1])) {
			return ebsInvalidParam(c, end[1])
		}
	}
	if c.Str(srcRegion) != c.Str(dstRegion) {
		return nil
	}
	if !oneRegion {
		return ebsInvalidParam(c, dstRegion) // a pair replicates to another region
	}
	if c.Str(srcZone) == c.Str(dstZone) {
		return ebsInvalidParam(c, dstZone) // within a region, to another zone
	}
	return nil
}

func describeDiskReplicaGroups(c *Ctx) (any, error) {
	s := c.Account.EBS
	want := c.Str("Site")
	var match []any
	for _, g := range s.Groups {
		if !sidesOf(c.Str("RegionId"), g.SourceRegionId, g.DestinationRegionId).is(want) || !idListMatch(c.Str("GroupIds"), g.ReplicaGroupId) ||
			!optionalEq(c, "Name", g.GroupName) || !optionalEq(c, "ResourceGroupId", g.ResourceGroupId) ||
			!tagsMatch(c, g.Tags) {
			continue
		}
		match = append(match, s.groupView(g, want))
	}
	return ebsPage(c, "ReplicaGroups", match)
}

// optionalEq is an exact-match filter that an absent parameter does not apply.
func optionalEq(c *Ctx, param, value string) bool {
	return !c.Has(param) || c.Str(param) == value
}

// setTuning applies the optional settings that ModifyDiskReplicaGroup and
// ModifyDiskReplicaPair share; a parameter left out keeps the current value.
func setTuning(c *Ctx, bandwidth *int64, rtc *bool, rpo *int64) {
	if c.Has("Bandwidth") {
		*bandwidth = c.Int("Bandwidth", *bandwidth)
	}
	if c.Has("EnableRtc") {
		*rtc = c.Bool("EnableRtc", *rtc)
	}
	if c.Has("RPO") {
		*rpo = c.Int("RPO", *rpo)
	}
}

func modifyDiskReplicaGroup(c *Ctx) (any, error) {
	g, _, err := ebsGroupHere(c, "ReplicaGroupId")
	if err != nil {
		return nil, err
	}
	setStr(c, "GroupName", &g.GroupName)
	setStr(c, "Description", &g.Description)
	setTuning(c, &g.Bandwidth, &g.EnableRtc, &g.RPO)
	return ack(), nil
}

func setStr(c *Ctx, param string, dst *string) {
	if c.Has(param) {
		*dst = c.Str(param)
	}
}

func startDiskReplicaGroup(c *Ctx) (any, error) {
	s := c.Account.EBS
	g, _, err := ebsGroupHere(c, "ReplicaGroupId")
	if err != nil {
		return nil, err
	}
	pairs, err := groupMembers(c, g)
	if err != nil {
		return nil, err
	}
	var fullSecs int64
	for _, p := range pairs {
		if d := s.disk(p.DestinationDiskId); d != nil && d.Status == "In_use" {
			return nil, c.Err("OperationDenied.StandbyDeviceAttached")
		}
		if d := s.disk(p.SourceDiskId); d != nil {
			fullSecs = max(fullSecs, fullSyncSeconds(d.Size))
		}
	}
	fullSecs = max(fullSecs, fullSyncSeconds(0))
	if c.Bool("OneShot", false) {
		if g.oneShotTooSoon(s.now) {
			return nil, c.Err("OperationDenied.ManualSyncLimit")
		}
		g.oneShot(s.now, fullSecs)
		for _, p := range pairs {
			// On the group's clock: a full one-shot for the group is a full one for all.
			p.phase("manual_syncing", "stopped", s.now, g.Life.Until-s.now)
			p.Life.OneShotAt = s.now
		}
		return ack(), nil
	}
	// The group enum has no initial_syncing: the group shows syncing while its pairs do
	// their first full sync (docs/reference-ebs.md); pairs that have their copy show syncing.
	if g.replicating() {
		return ack(), nil
	}
	if !firstSyncDone(g, pairs) {
		g.Life.Synced = false // a member without its copy makes the group's next sync a full one
	}
	g.start(s.now, fullSecs, "syncing")
	for _, p := range pairs {
		switch {
		case g.Life.Synced:
			p.cycle(s.now) // every copy is complete: all catch up together
		case p.Life.Synced:
			p.phase("syncing", nextCycle, s.now, g.Life.Until-s.now) // on the group's clock
		default:
			p.phase("initial_syncing", nextCycle, s.now, g.Life.Until-s.now)
		}
	}
	return ack(), nil
}

// groupMembers returns a group's pairs for an action that moves them all. A member can be
// driven on its own (StartDiskReplicaPair, ReprotectDiskReplicaPair, ...), so before moving
// them together each must still share the group's direction and be in step with its status.
func groupMembers(c *Ctx, g *replicaGroup) ([]*replicaPair, error) {
	pairs := c.Account.EBS.members(g.ReplicaGroupId)
	if len(pairs) == 0 {
		return nil, c.Err("OperationDenied.NoPairInGroup")
	}
	for _, p := range pairs {
		if !sameDirection(g, p) {
			return nil, c.Err("OperationDenied.PairGroupAZoneConflict")
		}
		if !inStep(g.Status, p.Status) {
			return nil, c.Err("OperationDenied.PairGroupStatusConflict")
		}
	}
	return pairs, nil
}

// firstSyncDone reports whether a group and each of its pairs hold a complete copy on the
// destination side: the first full sync (since creation or the last reprotect) has ended.
func firstSyncDone(g *replicaGroup, pairs []*replicaPair) bool {
	if !g.Life.Synced {
		return false
	}
	for _, p := range pairs {
		if !p.Life.Synced {
			return false
		}
	}
	return true
}

func sameDirection(g *replicaGroup, p *replicaPair) bool {
	return p.SourceRegion == g.SourceRegionId && p.SourceZoneId == g.SourceZoneId &&
		p.DestinationRegion == g.DestinationRegionId && p.DestinationZoneId == g.DestinationZoneId
}

// inStep reports whether a pair's status agrees with its group's. The two differ in name
// only during the first full sync (group syncing, pair initial_syncing), and syncing and
// normal alternate on the same clock.
func inStep(group, pair string) bool {
	live := []string{"syncing", "normal", "initial_syncing"}
	return group == pair || (contains(live, group) && contains(live, pair))
}

func stopDiskReplicaGroup(c *Ctx) (any, error) {
	g, _, err := ebsGroupHere(c, "ReplicaGroupId")
	if err != nil {
		return nil, err
	}
	now := c.Account.EBS.now
	g.stop(now)
	for _, p := range c.Account.EBS.members(g.ReplicaGroupId) {
		p.stop(now)
	}
	return ack(), nil
}

func failoverDiskReplicaGroup(c *Ctx) (any, error) {
	g, at, err := ebsGroupHere(c, "ReplicaGroupId")
	if err != nil {
		return nil, err
	}
	if !at.destination {
		return nil, c.Err("OperationDenied.OperateNotAllowedForPrimary")
	}
	pairs, err := groupMembers(c, g)
	if err != nil {
		return nil, err
	}
	if !firstSyncDone(g, pairs) {
		// The contract checked the group's own flag; a member driven on its own may lack its copy.
		return nil, c.Err("OperationDenied.InvalidStatus")
	}
	now := c.Account.EBS.now
	g.failover(now)
	for _, p := range pairs {
		p.failover(now)
	}
	return ack(), nil
}

func reprotectDiskReplicaGroup(c *Ctx) (any, error) {
	g, at, err := ebsGroupHere(c, "ReplicaGroupId")
	if err != nil {
		return nil, err
	}
	if !at.destination {
		return nil, c.Err("OperationDenied.OperateNotAllowedForPrimary")
	}
	pairs := c.Account.EBS.members(g.ReplicaGroupId)
	if len(pairs) == 0 {
		return nil, c.Err("OperationDenied.NoPairInGroup")
	}
	reverse, err := reverseWanted(c, g.SourceRegionId, g.SourceZoneId, g.DestinationRegionId, g.DestinationZoneId)
	if err != nil {
		return nil, err
	}
	for _, p := range pairs {
		if primaryAttached(c.Account.EBS, p) {
			return nil, c.Err("OperationDenied.InvalidStatus")
		}
	}
	now := c.Account.EBS.now
	g.reprotect(now)
	if reverse {
		g.SourceRegionId, g.DestinationRegionId = g.DestinationRegionId, g.SourceRegionId
		g.SourceZoneId, g.DestinationZoneId = g.DestinationZoneId, g.SourceZoneId
	}
	for _, p := range pairs {
		p.reprotect(now)
		if reverse {
			p.reverse()
		}
	}
	return ack(), nil
}

// reverseWanted reads the direction a reprotect asks for: v2 callers say ReverseReplicate
// (default true: the failed-over secondary becomes the source); v1 callers name the new
// source with SourceRegionId/SourceZoneId, which must be one of the two ends.
func reverseWanted(c *Ctx, srcRegion, srcZone, dstRegion, dstZone string) (bool, error) {
	if !c.Has("SourceRegionId") {
		return c.Bool("ReverseReplicate", false), nil
	}
	region, zone := c.Str("SourceRegionId"), c.Str("SourceZoneId")
	switch {
	case region == dstRegion && (zone == "" || zone == dstZone):
		return true, nil
	case region == srcRegion && (zone == "" || zone == srcZone):
		return false, nil
	case region == dstRegion || region == srcRegion:
		return false, ebsInvalidParam(c, "SourceZoneId")
	}
	return false, ebsInvalidParam(c, "SourceRegionId")
}

func deleteDiskReplicaGroup(c *Ctx) (any, error) {
	g, _, err := ebsGroupHere(c, "ReplicaGroupId")
	if err != nil {
		return nil, err
	}
	if len(c.Account.EBS.members(g.ReplicaGroupId)) > 0 {
		return nil, c.Err("OperationDenied.GroupHasPair")
	}
	g.remove(c.Account.EBS.now)
	return ack(), nil
}
