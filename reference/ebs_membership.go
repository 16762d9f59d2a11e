package reference

func addDiskReplicaPair(c *Ctx) (any, error) {
	s := c.Account.EBS
	g, _, err := ebsGroupHere(c, "ReplicaGroupId")
	if err != nil {
		return nil, err
	}
	p := s.pair(c.Str("ReplicaPairId"))
	if p == nil {
		return nil, c.Err("NoSuchResource")
	}
	switch p.ReplicaGroupId {
	case g.ReplicaGroupId:
		return ack(), nil // already a member: adding it again changes nothing
	case "":
	default:
		return nil, c.Err("OperationDenied.PairInAnotherGroup")
	}
	if err := admissible(c, g, p); err != nil {
		return nil, err
	}
	p.ReplicaGroupId = g.ReplicaGroupId
	p.RPO = g.RPO // the group's RPO overrides the pair's
	if !p.Life.Synced {
		g.Life.Synced = false // the next start must bring the newcomer to a full copy first
	}
	return ack(), nil
}

// admissible checks that a free pair can join a group: settled, same direction, same status,
// and room left in the group.
func admissible(c *Ctx, g *replicaGroup, p *replicaPair) error {
	s := c.Account.EBS
	if p.Status == "creating" || p.Status == "initial_syncing" {
		return c.Err("OperationDenied.PairInitializing")
	}
	if p.SourceRegion != g.SourceRegionId || p.SourceZoneId != g.SourceZoneId ||
		p.DestinationRegion != g.DestinationRegionId || p.DestinationZoneId != g.DestinationZoneId {
		return c.Err("OperationDenied.PairGroupAZoneConflict")
	}
	if p.Status != g.Status {
		return c.Err("OperationDenied.PairGroupStatusConflict")
	}
	members := s.members(g.ReplicaGroupId)
	if len(members) >= maxPairsPerGroup {
		return c.Err("OperationDenied.PairsExceedInGroup")
	}
	total := s.diskSize(p.SourceDiskId)
	for _, m := range members {
		total += s.diskSize(m.SourceDiskId)
	}
	if total > maxGroupCapacityGiB {
		return c.Err("OperationDenied.GroupTotalDiskCapacityLimit")
	}
	return nil
}

func (s *ebsState) diskSize(id string) int64 {
	if d := s.disk(id); d != nil {
		return d.Size
	}
	return 0
}

func removeDiskReplicaPair(c *Ctx) (any, error) {
	s := c.Account.EBS
	g, _, err := ebsGroupHere(c, "ReplicaGroupId")
	if err != nil {
		return nil, err
	}
	p := s.pair(c.Str("ReplicaPairId"))
	switch {
	case p == nil:
		return nil, c.Err("NoSuchResource")
	case len(s.members(g.ReplicaGroupId)) == 0:
		return nil, c.Err("OperationDenied.NoPairInGroup")
	case p.ReplicaGroupId == "":
		return nil, c.Err("OperationDenied.PairNotInGroup")
	case p.ReplicaGroupId != g.ReplicaGroupId:
		return nil, c.Err("OperationDenied.PairInAnotherGroup")
	case !contains([]string{"created", "stopped", "invalid", "create_failed"}, p.Status):
		return nil, c.Err("OperationDenied.PairStatusCannotRemoveFromGroup")
	}
	p.ReplicaGroupId = "" // detached, not deleted: it keeps its disks and status
	return ack(), nil
}
