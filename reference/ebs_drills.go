package reference

// advance runs a drill's lifecycle: executing settles to executed, clearing ends with the
// drill gone. It reports whether the drill is gone, and whether it settled (its disks are
// then created).
func (d *drillRun) advance(now int64) (gone, settled bool) {
	if d.Life.Until == 0 || now < d.Life.Until {
		return false, false
	}
	if d.Life.Next == nextGone {
		return true, false
	}
	d.Status = d.Life.Next
	d.Life.Next, d.Life.Until = "", 0
	return false, true
}

// enter puts a drill into a status with its usual successor, like replication.enter, and
// returns the status its drill disks then show.
func (d *drillRun) enter(status string, now int64) (disk string) {
	d.Status = status
	d.Life = ebsLife{Since: now}
	switch status {
	case "executing":
		d.Life.Next, d.Life.Until = "executed", now+ebsDrillRunSeconds
		return "creating"
	case "clearing":
		d.Life.Next, d.Life.Until = nextGone, now+ebsDrillClearSeconds
		return "deleting"
	}
	return "created"
}

// advance moves a group drill and its disks.
func (d *replicaDrill) advance(now int64) (gone bool) {
	gone, settled := d.drillRun.advance(now)
	if settled {
		d.setDisks("created")
	}
	return gone
}

// enter puts a group drill and its disks into a status.
func (d *replicaDrill) enter(status string, now int64) { d.setDisks(d.drillRun.enter(status, now)) }

func (d *replicaDrill) setDisks(status string) {
	for i := range d.PairsInfo {
		d.PairsInfo[i].DrillDiskStatus = status
	}
}

func startReplicaGroupDrill(c *Ctx) (any, error) {
	s := c.Account.EBS
	g, at, err := ebsGroupHere(c, "GroupId")
	if err != nil {
		return nil, err
	}
	if !at.destination {
		return nil, c.Err("OperationDenied.StartDrillShouldOnDestRegion")
	}
	if g.LastRecoverPoint == 0 {
		return nil, c.Err("OperationDenied.RecoverPointNotFound")
	}
	d := &replicaDrill{
		DrillId: c.Account.NewID(ebsDrillIDPrefix), GroupId: g.ReplicaGroupId, PairsInfo: []drillPair{},
		drillRun: drillRun{RecoverPoint: g.LastRecoverPoint, StartAt: s.now},
	}
	for _, p := range s.members(g.ReplicaGroupId) {
		d.PairsInfo = append(d.PairsInfo, drillPair{
			PairId: p.ReplicaPairId, DrillDiskId: c.Account.NewID(ebsDrillDiskIDPrefix),
		})
	}
	d.enter("executing", s.now)
	s.Drills = append(s.Drills, d)
	return map[string]any{"DrillId": d.DrillId}, nil
}

// drillView is a drill as DescribeReplicaGroupDrills shows it.
type drillView struct {
	DrillId       string      `json:"DrillId"`
	GroupId       string      `json:"GroupId"`
	Status        string      `json:"Status"`
	StatusMessage string      `json:"StatusMessage"`
	RecoverPoint  int64       `json:"RecoverPoint"`
	StartAt       int64       `json:"StartAt"`
	PairsInfo     []drillPair `json:"PairsInfo"`
}

func describeReplicaGroupDrills(c *Ctx) (any, error) {
	g, _, err := ebsGroupHere(c, "GroupId")
	if err != nil {
		return nil, err
	}
	if id := c.Str("DrillId"); id != "" {
		if d := c.Account.EBS.drill(id); d == nil || d.GroupId != g.ReplicaGroupId {
			return nil, c.Err("NoSuchResource") // another group's drill is not this group's
		}
	}
	var match []any
	for _, d := range c.Account.EBS.Drills {
		if d.GroupId != g.ReplicaGroupId || !optionalEq(c, "DrillId", d.DrillId) {
			continue
		}
		match = append(match, drillView{
			DrillId: d.DrillId, GroupId: d.GroupId, Status: d.Status, StatusMessage: d.StatusMessage,
			RecoverPoint: d.RecoverPoint, StartAt: d.StartAt,
			PairsInfo: append([]drillPair{}, d.PairsInfo...),
		})
	}
	return ebsPage(c, "Drills", match)
}

func clearReplicaGroupDrill(c *Ctx) (any, error) {
	g, _, err := ebsGroupHere(c, "GroupId")
	if err != nil {
		return nil, err
	}
	d := c.Account.EBS.drill(c.Str("DrillId"))
	if d == nil || d.GroupId != g.ReplicaGroupId {
		return nil, c.Err("NoSuchResource")
	}
	if d.Status == "clearing" {
		return ack(), nil // already on its way out
	}
	d.enter("clearing", c.Account.EBS.now)
	return ack(), nil
}
