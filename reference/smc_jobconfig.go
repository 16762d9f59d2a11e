package reference

import (
	"strconv"
	"strings"
)

// Statuses in which ModifyReplicationJobAttribute may change a setting (the contract's
// choice): Name and Description any time, the schedule in Ready or Waiting, ValidTime until
// the job ends, everything else in Ready only (before the first run).
var (
	anyTimeSettings = []string{"Name", "Description", "JobId", "OwnerId", "ResourceOwnerAccount"}
	modifyStatuses  = map[string][]string{
		"Frequency":              {"Ready", "Waiting"},
		"MaxNumberOfImageToKeep": {"Ready", "Waiting"},
		"ValidTime":              {"Ready", "Running", "Stopped", "InError", "Waiting"},
	}
	beforeFirstRun = []string{"Ready"}
)

// applyJobSettings copies the job's configuration from the request and checks the rules
// that involve other objects: unique names, data disks of the source, the fixture network.
func applyJobSettings(c *Ctx, s *smcState, j *replicationJob, src *sourceServer) error {
	if c.Has("Name") {
		if s.jobNameTaken(c.Str("Name"), j) {
			return c.Err("ReplicationJobName.Duplicate")
		}
		j.Name = c.Str("Name")
	}
	copyStrings(c, map[string]*string{
		"Description": &j.Description, "TargetType": &j.TargetType, "InstanceId": &j.InstanceId,
		"InstanceType": &j.InstanceType, "InstanceRamRole": &j.InstanceRamRole,
		"LaunchTemplateId": &j.LaunchTemplateId, "LaunchTemplateVersion": &j.LaunchTemplateVersion,
		"ReplicationParameters": &j.ReplicationParameters, "ContainerNamespace": &j.ContainerNamespace,
		"ContainerRepository": &j.ContainerRepository, "ContainerTag": &j.ContainerTag,
		"LicenseType": &j.LicenseType,
	})
	copyInts(c, map[string]*int{
		"SystemDiskSize": &j.SystemDiskSize, "Frequency": &j.Frequency,
		"MaxNumberOfImageToKeep": &j.MaxNumberOfImageToKeep, "NetMode": &j.NetMode,
	})
	if c.Has("RunOnce") {
		j.RunOnce = c.Bool("RunOnce", true)
	}
	if c.Has("ImageName") {
		if j.TargetType == "Image" && s.imageNameTaken(j.RegionId, c.Str("ImageName"), j) {
			return c.Err("ImageName.UsedByReplicationJob", c.Str("ImageName"))
		}
		j.ImageName = c.Str("ImageName")
	}
	if err := applyDisks(c, j, src); err != nil {
		return err
	}
	if err := applyNetwork(c, j); err != nil {
		return err
	}
	return checkJobCompleteness(c, j)
}

// checkJobCompleteness enforces the needs that hold on the merged configuration (a Modify
// can complete what Create left out): an incremental job needs its schedule, a target
// instance needs its ID.
func checkJobCompleteness(c *Ctx, j *replicationJob) error {
	if !j.RunOnce && j.Frequency == 0 {
		return missingParam(c, "Frequency")
	}
	if !j.RunOnce && j.MaxNumberOfImageToKeep == 0 {
		return missingParam(c, "MaxNumberOfImageToKeep")
	}
	if j.TargetType == "TargetInstance" && j.InstanceId == "" {
		return missingParam(c, "InstanceId")
	}
	if j.NetMode == 2 && j.VSwitchId == "" {
		return missingParam(c, "VSwitchId")
	}
	return nil
}

func copyStrings(c *Ctx, dst map[string]*string) {
	for name, p := range dst {
		if c.Has(name) {
			*p = c.Str(name)
		}
	}
}

func copyInts(c *Ctx, dst map[string]*int) {
	for name, p := range dst {
		if c.Has(name) {
			*p = int(c.Int(name, 0))
		}
	}
}

// applyDisks reads SystemDiskPart.N and DataDisk.N. Data disk indexes must be unique and
// name disks the source has.
func applyDisks(c *Ctx, j *replicationJob, src *sourceServer) error {
	if c.Has("SystemDiskPart") {
		j.SystemDiskParts.SystemDiskPart = parts(c.Objs("SystemDiskPart"), defaultBool(c, "SystemDiskPart", "Block"))
	}
	if !c.Has("DataDisk") {
		return nil
	}
	disks := []jobDataDisk{}
	seen := map[int]bool{}
	for _, m := range c.Objs("DataDisk") {
		d := jobDataDisk{Index: int(num(m["Index"])), Size: int(num(m["Size"]))}
		if seen[d.Index] {
			if _, ok := c.Action.Error("DataDisk.DuplicateIndex"); ok {
				return c.Err("DataDisk.DuplicateIndex")
			}
			return c.Err("ReplicationJobDataDiskIndex.Invalid")
		}
		seen[d.Index] = true
		if src == nil || !src.hasDataDisk(d.Index) {
			return c.Err("ReplicationJobDataDiskIndex.Invalid")
		}
		d.Parts.Part = parts(objs(m["Part"]), defaultBool(c, "DataDisk", "Part", "Block"))
		disks = append(disks, d)
	}
	j.DataDisks.DataDisk = disks
	return nil
}

// parts reads partitions; a partition that does not say Block gets block, the contract's
// default.
func parts(list []map[string]any, block bool) []jobPart {
	out := make([]jobPart, 0, len(list))
	for _, m := range list {
		dev, _ := m["Device"].(string)
		b, ok := m["Block"].(bool)
		if !ok {
			b = block
		}
		out = append(out, jobPart{Device: dev, SizeBytes: num(m["SizeBytes"]), Block: b})
	}
	return out
}

// defaultBool is the contract's default for a boolean field inside a parameter (false when
// it gives none).
func defaultBool(c *Ctx, param string, fields ...string) bool {
	p, ok := c.Action.Param(param)
	if !ok {
		return false
	}
	v, _ := p.DefaultAt(fields...).(bool)
	return v
}

// num reads a decoded integer whatever numeric form it arrived in.
func num(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	case string:
		i, _ := strconv.ParseInt(n, 10, 64)
		return i
	}
	return 0
}

// applyNetwork checks a VPC transfer against the fixture networks of the job's region: the
// vSwitch must exist there, a given VpcId must be its VPC, and an absent one is derived.
func applyNetwork(c *Ctx, j *replicationJob) error {
	if !c.Has("VSwitchId") && !c.Has("VpcId") {
		return nil
	}
	vsw, vpc := j.VSwitchId, j.VpcId
	if c.Has("VSwitchId") {
		vsw, vpc = c.Str("VSwitchId"), ""
	}
	if c.Has("VpcId") {
		vpc = c.Str("VpcId")
	}
	owner, found := vpcOf(c, j.RegionId, vsw)
	if vsw != "" && (!found || (vpc != "" && vpc != owner)) {
		return mismatchError(c)
	}
	if vsw == "" && vpc != "" {
		return missingParam(c, "VSwitchId")
	}
	j.VSwitchId, j.VpcId = vsw, owner
	return nil
}

func mismatchError(c *Ctx) error {
	if _, ok := c.Action.Error("VSwitchIdVpcId.Mismatch"); ok {
		return c.Err("VSwitchIdVpcId.Mismatch")
	}
	return invalidParam(c, "VSwitchId")
}

// vpcOf finds the VPC that holds a vSwitch in a fixture region.
func vpcOf(c *Ctx, region, vswitch string) (string, bool) {
	r, ok := c.Region(region)
	if !ok {
		return "", false
	}
	for _, vpc := range r.VPCs {
		for _, v := range vpc.VSwitches {
			if v.VSwitchID == vswitch {
				return vpc.VpcID, true
			}
		}
	}
	return "", false
}

// modifyReplicationJobAttribute changes a job's settings within the rules by state.
func modifyReplicationJobAttribute(c *Ctx) (any, error) {
	s := c.Account.SMC
	j := s.job(c.Str("JobId"))
	if err := modifyAllowed(c, j); err != nil {
		return nil, err
	}
	draft := *j
	draft.jobView = j.jobView.filled()
	if err := applyJobSettings(c, s, &draft, s.source(j.SourceId)); err != nil {
		return nil, err
	}
	if c.Has("ScheduledStartTime") || c.Has("ValidTime") {
		if err := applyJobTimes(c, &draft); err != nil {
			return nil, err
		}
		if draft.RT.NextRun != j.RT.NextRun && !draft.RT.NextRun.IsZero() {
			draft.Status = "Waiting"
		}
	}
	*j = draft
	s.refresh()
	return struct{}{}, nil
}

// modifyAllowed answers ReplicationJob.InvalidStatus when a setting may not change in the
// job's current state.
func modifyAllowed(c *Ctx, j *replicationJob) error {
	for _, p := range c.Action.Params {
		if !c.Has(p.Name) || contains(anyTimeSettings, p.Name) {
			continue
		}
		allowed, ok := modifyStatuses[p.Name]
		if !ok {
			allowed = beforeFirstRun
		}
		if !contains(allowed, j.Status) {
			return c.Err("ReplicationJob.InvalidStatus", j.Status, strings.Join(allowed, c.Action.Product.ListSeparator))
		}
	}
	return nil
}
