package reference

// createCrossZoneMigrationJob moves an ECS instance to another zone of its region. It has no
// source server: the job (JobType 2, target the instance itself) starts at once and runs the
// same lifecycle as a one-time migration. The target zone and vSwitch are checked against
// the fixture region.
func createCrossZoneMigrationJob(c *Ctx) (any, error) {
	s := c.Account.SMC
	if len(s.Jobs) >= maxJobsPerAccount {
		if _, ok := c.Action.Error("QuotaExceeded.ReplicationJob"); ok {
			return nil, c.Err("QuotaExceeded.ReplicationJob")
		}
	}
	region, _ := c.Region(c.Str("RegionId"))
	zone := c.Str("TargetZoneId")
	if zone != "" && !contains(region.Zones, zone) {
		return nil, invalidParam(c, "TargetZoneId")
	}
	vsw, vpc := c.Str("TargetVSwitchId"), ""
	if vsw != "" {
		vpc, zone = vSwitchIn(region, vsw, zone)
		if vpc == "" {
			return nil, invalidParam(c, "TargetVSwitchId")
		}
	}
	j := &replicationJob{jobView: jobView{
		JobId: c.Account.NewID("j-"), RegionId: region.RegionID, JobType: 2,
		TargetType: "TargetInstance", InstanceId: c.Str("InstanceId"), RunOnce: true,
		InstanceType: c.Str("TargetInstanceType"), VSwitchId: vsw, VpcId: vpc,
		ResourceGroupId: c.Str("ResourceGroupId"), CreationTime: fmtTime(c.Now),
		Description: "cross-zone migration to " + zone,
	}}
	j.jobView = j.jobView.filled()
	j.startRun(c.Now, "Manual")
	s.addJob(j)
	return map[string]any{"JobId": j.JobId}, nil
}

// vSwitchIn returns the VPC of a vSwitch in the region and the zone it is in, "" when the
// region has no such vSwitch or it lies outside the wanted zone.
func vSwitchIn(r Region, vswitch, zone string) (string, string) {
	for _, vpc := range r.VPCs {
		for _, v := range vpc.VSwitches {
			if v.VSwitchID == vswitch && (zone == "" || v.ZoneID == zone) {
				return vpc.VpcID, v.ZoneID
			}
		}
	}
	return "", zone
}
