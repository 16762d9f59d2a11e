package reference

import (
	"fmt"
	"time"
)

// pairView is a replica pair as DescribeDiskReplicaPairs shows it from one site.
type pairView struct {
	ReplicaPairId     string   `json:"ReplicaPairId"`
	PairName          string   `json:"PairName"`
	Description       string   `json:"Description"`
	ResourceGroupId   string   `json:"ResourceGroupId"`
	ReplicaGroupId    string   `json:"ReplicaGroupId"`
	ReplicaGroupName  string   `json:"ReplicaGroupName"`
	Status            string   `json:"Status"`
	StatusMessage     string   `json:"StatusMessage"`
	Site              string   `json:"Site"`
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
	RPO               int64    `json:"RPO"`
	Bandwidth         int64    `json:"Bandwidth"`
	EnableRtc         bool     `json:"EnableRtc"`
	ChargeType        string   `json:"ChargeType"`
	CreateTime        int64    `json:"CreateTime"`
	ExpiredTime       int64    `json:"ExpiredTime"`
	LastRecoverPoint  int64    `json:"LastRecoverPoint"`
	Tags              []ebsTag `json:"Tags"`
	// v1 SDK fields: echoed from the v1-only request parameters.
	DestinationCloudId string `json:"DestinationCloudId,omitempty"`
	StandbyUid         string `json:"StandbyUid,omitempty"`
}

func (s *ebsState) pairView(p *replicaPair, where string) pairView {
	v := pairView{
		ReplicaPairId: p.ReplicaPairId, PairName: p.PairName, Description: p.Description,
		ResourceGroupId: p.ResourceGroupId, ReplicaGroupId: p.ReplicaGroupId,
		Status: p.Status, StatusMessage: p.StatusMessage, Site: where,
		SourceDiskId: p.SourceDiskId, SourceRegion: p.SourceRegion, SourceZoneId: p.SourceZoneId,
		DestinationDiskId: p.DestinationDiskId, DestinationRegion: p.DestinationRegion,
		DestinationZoneId: p.DestinationZoneId, PrimaryRegion: p.PrimaryRegion,
		PrimaryZone: p.PrimaryZone, StandbyRegion: p.StandbyRegion, StandbyZone: p.StandbyZone,
		RPO: p.RPO, Bandwidth: p.Bandwidth, EnableRtc: p.EnableRtc, ChargeType: p.ChargeType,
		CreateTime: p.CreateTime, ExpiredTime: p.ExpiredTime,
		LastRecoverPoint: p.LastRecoverPoint, Tags: nonNilTags(p.Tags),
		DestinationCloudId: p.DestinationCloudId, StandbyUid: p.DestinationUid,
	}
	if g := s.group(p.ReplicaGroupId); g != nil {
		v.ReplicaGroupName, v.RPO = g.GroupName, g.RPO // a member reports its group's RPO
	}
	return v
}

// reverse swaps the pair's direction: the secondary disk becomes the source.
func (p *replicaPair) reverse() {
	p.SourceDiskId, p.DestinationDiskId = p.DestinationDiskId, p.SourceDiskId
	p.SourceRegion, p.DestinationRegion = p.DestinationRegion, p.SourceRegion
	p.SourceZoneId, p.DestinationZoneId = p.DestinationZoneId, p.SourceZoneId
}

func createDiskReplicaPair(c *Ctx) (any, error) {
	s := c.Account.EBS
	if err := checkPlacement(c, false, "RegionId", "SourceZoneId", "DestinationRegionId", "DestinationZoneId"); err != nil {
		return nil, err
	}
	src, err := diskAt(c, "DiskId", "RegionId", "SourceZoneId")
	if err != nil {
		return nil, err
	}
	dst, err := diskAt(c, "DestinationDiskId", "DestinationRegionId", "DestinationZoneId")
	if err != nil {
		return nil, err
	}
	// A disk replicates in one pair at most, and the copy must fit on the secondary.
	if s.pairUsingDisk(src.DiskId) != nil || s.pairUsingDisk(dst.DiskId) != nil {
		return nil, c.Err("OperationDenied.InvalidStatus")
	}
	if dst.Size < src.Size {
		return nil, ebsInvalidParam(c, "DestinationDiskId")
	}
	chargeType := c.Str("ChargeType")
	if chargeType != "PREPAY" && c.Has("Bandwidth") {
		return nil, ebsInvalidParam(c, "Bandwidth") // pay-as-you-go bandwidth is on demand
	}
	p := newPair(c, src, dst, chargeType)
	s.Pairs = append(s.Pairs, p)
	return map[string]any{"ReplicaPairId": p.ReplicaPairId, "OrderId": p.OrderId}, nil
}

// diskAt returns the disk named by idParam if it sits in the region and zone the call says:
// the service is regional and zonal, so from anywhere else the disk does not exist.
func diskAt(c *Ctx, idParam, regionParam, zoneParam string) (*ebsDisk, error) {
	d := c.Account.EBS.disk(c.Str(idParam))
	if d == nil || d.RegionId != c.Str(regionParam) || d.ZoneId != c.Str(zoneParam) {
		return nil, c.Err("NoSuchResource")
	}
	return d, nil
}

func newPair(c *Ctx, src, dst *ebsDisk, chargeType string) *replicaPair {
	s := c.Account.EBS
	p := &replicaPair{
		ReplicaPairId: c.Account.NewID(ebsPairIDPrefix), PairName: c.Str("PairName"),
		Description: c.Str("Description"), ResourceGroupId: c.Str("ResourceGroupId"),
		SourceDiskId: src.DiskId, SourceRegion: src.RegionId, SourceZoneId: src.ZoneId,
		DestinationDiskId: dst.DiskId, DestinationRegion: dst.RegionId, DestinationZoneId: dst.ZoneId,
		PrimaryRegion: src.RegionId, PrimaryZone: src.ZoneId,
		StandbyRegion: dst.RegionId, StandbyZone: dst.ZoneId,
		EnableRtc: c.Bool("EnableRtc", false), CreateTime: s.now, Tags: ebsTags(c),
		ChargeType: chargeType, DestinationCloudId: c.Str("DestinationCloudId"),
		DestinationUid: c.Str("DestinationUid"),
	}
	p.RPO = c.Int("RPO", ebsDefaultRPO)
	// Pay-as-you-go pairs get bandwidth on demand (0); subscriptions buy a fixed one and
	// expire after Period months.
	if p.ChargeType == "PREPAY" {
		p.Bandwidth = c.Int("Bandwidth", 10240)
		months := int(c.Int("Period", 1))
		p.ExpiredTime = time.Unix(s.now, 0).UTC().AddDate(0, months, 0).Unix()
	}
	p.OrderId = orderID(c.Account.NewID(""))
	p.enter("created", s.now) // the contract: a new pair is created at once
	return p
}

// orderID turns a minted ID into the all-digit form of the service's order numbers.
func orderID(seed string) string {
	var n uint64
	for _, r := range seed {
		n = n*31 + uint64(r)
	}
	return fmt.Sprintf("%0*d", ebsOrderIDDigits, n%1_000_000_000_000_000)
}

func describeDiskReplicaPairs(c *Ctx) (any, error) {
	s := c.Account.EBS
	want := c.Str("Site")
	var match []any
	for _, p := range s.Pairs {
		if !sidesOf(c.Str("RegionId"), p.SourceRegion, p.DestinationRegion).is(want) || !idListMatch(c.Str("PairIds"), p.ReplicaPairId) ||
			!groupFilter(c, p.ReplicaGroupId) || !optionalEq(c, "Name", p.PairName) ||
			!optionalEq(c, "ResourceGroupId", p.ResourceGroupId) || !tagsMatch(c, p.Tags) {
			continue
		}
		match = append(match, s.pairView(p, want))
	}
	return ebsPage(c, "ReplicaPairs", match)
}

// groupFilter applies ReplicaGroupId to a pair; "-" selects the pairs in no group.
func groupFilter(c *Ctx, groupID string) bool {
	if c.Str("ReplicaGroupId") == "-" {
		return groupID == ""
	}
	return optionalEq(c, "ReplicaGroupId", groupID)
}

func describeDiskReplicaPairProgress(c *Ctx) (any, error) {
	p, _, err := ebsPairHere(c)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"Progress": p.progress(c.Account.EBS.now)}
	if p.LastRecoverPoint > 0 { // the metadata: returned only once the pair was started
		body["RecoverPoint"] = p.LastRecoverPoint
	}
	return body, nil
}

func modifyDiskReplicaPair(c *Ctx) (any, error) {
	p, _, err := ebsPairHere(c)
	if err != nil {
		return nil, err
	}
	setStr(c, "PairName", &p.PairName)
	setStr(c, "Description", &p.Description)
	setTuning(c, &p.Bandwidth, &p.EnableRtc, &p.RPO)
	return ack(), nil
}

func startDiskReplicaPair(c *Ctx) (any, error) {
	s := c.Account.EBS
	p, _, err := ebsPairHere(c)
	if err != nil {
		return nil, err
	}
	if d := s.disk(p.DestinationDiskId); d != nil && d.Status == "In_use" {
		return nil, c.Err("OperationDenied.StandbyDeviceAttached")
	}
	full := fullSyncSeconds(s.diskSize(p.SourceDiskId))
	if !c.Bool("OneShot", false) {
		p.start(s.now, full, "initial_syncing")
		return ack(), nil
	}
	if p.oneShotTooSoon(s.now) {
		return nil, c.Err("OperationDenied.ManualSyncLimit")
	}
	p.oneShot(s.now, full)
	return ack(), nil
}

func stopDiskReplicaPair(c *Ctx) (any, error) {
	p, _, err := ebsPairHere(c)
	if err != nil {
		return nil, err
	}
	p.stop(c.Account.EBS.now)
	return ack(), nil
}

func failoverDiskReplicaPair(c *Ctx) (any, error) {
	p, at, err := ebsPairHere(c)
	if err != nil {
		return nil, err
	}
	if !at.destination {
		return nil, c.Err("OperationDenied.OperateNotAllowedForPrimary")
	}
	p.failover(c.Account.EBS.now)
	return ack(), nil
}

func reprotectDiskReplicaPair(c *Ctx) (any, error) {
	p, at, err := ebsPairHere(c)
	if err != nil {
		return nil, err
	}
	if !at.destination {
		return nil, c.Err("OperationDenied.OperateNotAllowedForPrimary")
	}
	reverse, err := reverseWanted(c, p.SourceRegion, p.SourceZoneId, p.DestinationRegion, p.DestinationZoneId)
	if err != nil {
		return nil, err
	}
	if primaryAttached(c.Account.EBS, p) {
		return nil, c.Err("OperationDenied.InvalidStatus")
	}
	p.reprotect(c.Account.EBS.now)
	if reverse {
		p.reverse()
	}
	return ack(), nil
}

// primaryAttached reports whether the pair's current source disk is attached to an instance:
// the reprotect pages ask for it to be detached first.
func primaryAttached(s *ebsState, p *replicaPair) bool {
	d := s.disk(p.SourceDiskId)
	return d != nil && d.Status == "In_use"
}

func deleteDiskReplicaPair(c *Ctx) (any, error) {
	p, at, err := ebsPairHere(c)
	if err != nil {
		return nil, err
	}
	if !at.source {
		return nil, c.Err("OperationDenied.OperateNotAllowedForStandby")
	}
	p.ReplicaGroupId = "" // a member leaves its group as it goes
	p.remove(c.Account.EBS.now)
	return ack(), nil
}
