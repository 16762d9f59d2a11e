package reference

// Drills of single pairs (StartPairDrill, DescribePairDrills, ClearPairDrill): the group
// drills' rules for one pair. A drill copies the pair's secondary disk at its last recovery
// point into one drill disk; it is started from the pair's destination region and listed or
// cleared from either of its regions.

// advance moves a pair drill and its disk.
func (d *pairDrill) advance(now int64) (gone bool) {
	gone, settled := d.drillRun.advance(now)
	if settled {
		d.DrillDiskStatus = "created"
	}
	return gone
}

// enter puts a pair drill and its disk into a status.
func (d *pairDrill) enter(status string, now int64) {
	d.DrillDiskStatus = d.drillRun.enter(status, now)
}

// ebsDrillPairHere is ebsPairHere for the drill actions, which name the pair PairId.
func ebsDrillPairHere(c *Ctx) (*replicaPair, sides, error) {
	p := c.Account.EBS.pair(c.Str("PairId"))
	if p == nil {
		return nil, sides{}, c.Err("NoSuchResource")
	}
	at := sidesOf(c.Str("RegionId"), p.SourceRegion, p.DestinationRegion)
	if !at.seen() {
		return nil, sides{}, c.Err("NoSuchResource")
	}
	return p, at, nil
}

func startPairDrill(c *Ctx) (any, error) {
	s := c.Account.EBS
	p, at, err := ebsDrillPairHere(c)
	if err != nil {
		return nil, err
	}
	if !at.destination {
		return nil, c.Err("OperationDenied.StartDrillShouldOnDestRegion")
	}
	if p.LastRecoverPoint == 0 {
		return nil, c.Err("OperationDenied.RecoverPointNotFound")
	}
	d := &pairDrill{
		DrillId: c.Account.NewID(ebsPairDrillIDPrefix), PairId: p.ReplicaPairId,
		DrillDiskId: c.Account.NewID(ebsDrillDiskIDPrefix),
		drillRun:    drillRun{RecoverPoint: p.LastRecoverPoint, StartAt: s.now},
	}
	d.enter("executing", s.now)
	s.PairDrills = append(s.PairDrills, d)
	return map[string]any{"DrillId": d.DrillId}, nil
}

// pairDrillView is a drill as DescribePairDrills shows it.
type pairDrillView struct {
	DrillId         string `json:"DrillId"`
	Status          string `json:"Status"`
	StatusMessage   string `json:"StatusMessage"`
	DrillDiskId     string `json:"DrillDiskId"`
	DrillDiskStatus string `json:"DrillDiskStatus"`
	RecoverPoint    int64  `json:"RecoverPoint"`
	StartAt         int64  `json:"StartAt"`
}

func describePairDrills(c *Ctx) (any, error) {
	p, _, err := ebsDrillPairHere(c)
	if err != nil {
		return nil, err
	}
	if id := c.Str("DrillId"); id != "" {
		if d := c.Account.EBS.pairDrill(id); d == nil || d.PairId != p.ReplicaPairId {
			return nil, c.Err("NoSuchResource") // another pair's drill is not this pair's
		}
	}
	var match []any
	for _, d := range c.Account.EBS.PairDrills {
		if d.PairId != p.ReplicaPairId || !optionalEq(c, "DrillId", d.DrillId) {
			continue
		}
		match = append(match, pairDrillView{
			DrillId: d.DrillId, Status: d.Status, StatusMessage: d.StatusMessage,
			DrillDiskId: d.DrillDiskId, DrillDiskStatus: d.DrillDiskStatus,
			RecoverPoint: d.RecoverPoint, StartAt: d.StartAt,
		})
	}
	return ebsPage(c, "Drills", match)
}

func clearPairDrill(c *Ctx) (any, error) {
	p, _, err := ebsDrillPairHere(c)
	if err != nil {
		return nil, err
	}
	d := c.Account.EBS.pairDrill(c.Str("DrillId"))
	if d == nil || d.PairId != p.ReplicaPairId {
		return nil, c.Err("NoSuchResource")
	}
	if d.Status == "clearing" {
		return ack(), nil // already on its way out
	}
	d.enter("clearing", c.Account.EBS.now)
	return ack(), nil
}
