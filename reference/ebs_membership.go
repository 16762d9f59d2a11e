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

// admissible checks that a free pair can join a group: same direction and room left. The
// contract's preconditions have already required both to be created or stopped.
func admissible(c *Ctx, g *replicaGroup, p *replicaPair) error {
	s := c.Account.EBS
	if !sameDirection(g, p) {
		return c.Err("OperationDenied.PairGroupAZoneConflict")
	}
	if len(s.members(g.ReplicaGroupId)) >= maxPairsPerGroup {
		return c.Err("OperationDenied.PairsExceedInGroup")
	}
	return nil
}

func removeDiskReplicaPair(c *Ctx) (any, error) {
	s := c.Account.EBS
	g, _, err := ebsGroupHere(c, "ReplicaGroupId")
	if err != nil {
		return nil, err
	}
	p := s.pair(c.Str("ReplicaPairId"))
	if p == nil {
		return nil, c.Err("NoSuchResource")
	}
	if p.ReplicaGroupId != g.ReplicaGroupId {
		return nil, c.Err("OperationDenied.PairNotInGroup") // in no group, or in another one
	}
	p.ReplicaGroupId = "" // detached, not deleted: it keeps its disks and status
	return ack(), nil
}
