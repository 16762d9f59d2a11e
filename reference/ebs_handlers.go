package reference

import (
	"strings"

	"github.com/smcct/smcct/rpc"
)

// ebsHandlers is every ebs action the reference answers. Existence of the named objects, the
// parameter rules and the state preconditions of the contract are checked before these run;
// handlers add what a schema cannot say: regions, directions, membership, quotas.
func ebsHandlers() map[string]Handler {
	return map[string]Handler{
		"CreateDiskReplicaGroup":    createDiskReplicaGroup,
		"DescribeDiskReplicaGroups": describeDiskReplicaGroups,
		"ModifyDiskReplicaGroup":    modifyDiskReplicaGroup,
		"StartDiskReplicaGroup":     startDiskReplicaGroup,
		"StopDiskReplicaGroup":      stopDiskReplicaGroup,
		"FailoverDiskReplicaGroup":  failoverDiskReplicaGroup,
		"ReprotectDiskReplicaGroup": reprotectDiskReplicaGroup,
		"DeleteDiskReplicaGroup":    deleteDiskReplicaGroup,
		"AddDiskReplicaPair":        addDiskReplicaPair,
		"RemoveDiskReplicaPair":     removeDiskReplicaPair,

		"CreateDiskReplicaPair":           createDiskReplicaPair,
		"DescribeDiskReplicaPairs":        describeDiskReplicaPairs,
		"DescribeDiskReplicaPairProgress": describeDiskReplicaPairProgress,
		"ModifyDiskReplicaPair":           modifyDiskReplicaPair,
		"StartDiskReplicaPair":            startDiskReplicaPair,
		"StopDiskReplicaPair":             stopDiskReplicaPair,
		"FailoverDiskReplicaPair":         failoverDiskReplicaPair,
		"ReprotectDiskReplicaPair":        reprotectDiskReplicaPair,
		"DeleteDiskReplicaPair":           deleteDiskReplicaPair,

		"StartReplicaGroupDrill":     startReplicaGroupDrill,
		"DescribeReplicaGroupDrills": describeReplicaGroupDrills,
		"ClearReplicaGroupDrill":     clearReplicaGroupDrill,

		"StartPairDrill":     startPairDrill,
		"DescribePairDrills": describePairDrills,
		"ClearPairDrill":     clearPairDrill,
	}
}

// The service documents the 17-pair limit of a group. It gives no account quotas, so the
// reference enforces none (the contract leaves QuotaExceed to fault injection).
const (
	maxPairsPerGroup     = 17
	ebsOrderIDDigits     = 15
	ebsDrillDiskIDPrefix = "d-"
	ebsPairIDPrefix      = "pair-cn-"
	ebsDrillIDPrefix     = "pg-drill-"
	ebsPairDrillIDPrefix = "drill-"
)

// sides tells which ends of a replication a region holds: the current source, the current
// destination, or both for a group that replicates between two zones of one region.
type sides struct{ source, destination bool }

func sidesOf(region, source, destination string) sides {
	return sides{source: region == source, destination: region == destination}
}

// seen reports whether the region holds either end: from any other region the object does
// not exist.
func (s sides) seen() bool { return s.source || s.destination }

// is reports whether the region holds the end a Site filter names: "production" for the
// source, "backup" for the destination.
func (s sides) is(site string) bool {
	return (site == "production" && s.source) || (site == "backup" && s.destination)
}

// ebsGroupHere returns the group named by idParam if the call's RegionId is one of its ends.
// The service is regional: from any other region the group does not exist.
func ebsGroupHere(c *Ctx, idParam string) (*replicaGroup, sides, error) {
	g := c.Account.EBS.group(c.Str(idParam))
	if g == nil {
		return nil, sides{}, c.Err("NoSuchResource")
	}
	at := sidesOf(c.Str("RegionId"), g.SourceRegionId, g.DestinationRegionId)
	if !at.seen() {
		return nil, sides{}, c.Err("NoSuchResource")
	}
	return g, at, nil
}

// ebsPairHere is ebsGroupHere for a pair.
func ebsPairHere(c *Ctx) (*replicaPair, sides, error) {
	p := c.Account.EBS.pair(c.Str("ReplicaPairId"))
	if p == nil {
		return nil, sides{}, c.Err("NoSuchResource")
	}
	at := sidesOf(c.Str("RegionId"), p.SourceRegion, p.DestinationRegion)
	if !at.seen() {
		return nil, sides{}, c.Err("NoSuchResource")
	}
	return p, at, nil
}

// ebsInvalidParam answers the product's invalid-parameter family for a value that passed
// the schema but names nothing real (a zone outside its region).
func ebsInvalidParam(c *Ctx, name string) *rpc.Error {
	return rpc.NewError(c.Action.Product.Families.Invalid.For(name))
}

// ebsTags reads Tag.N.Key/Value into the response shape.
func ebsTags(c *Ctx) []ebsTag {
	var out []ebsTag
	for _, m := range c.Objs("Tag") {
		k, _ := m["Key"].(string)
		v, _ := m["Value"].(string)
		if k != "" {
			out = append(out, ebsTag{TagKey: k, TagValue: v})
		}
	}
	return out
}

// tagsMatch reports whether an object carries every Tag.N filter of the call; a filter with
// no Value matches any value of its key.
func tagsMatch(c *Ctx, have []ebsTag) bool {
	for _, want := range ebsTags(c) {
		found := false
		for _, t := range have {
			if t.TagKey == want.TagKey && (want.TagValue == "" || t.TagValue == want.TagValue) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// idListMatch applies a comma-separated ID filter (GroupIds, PairIds); empty matches all.
func idListMatch(list, id string) bool {
	if strings.TrimSpace(list) == "" {
		return true
	}
	for _, x := range strings.Split(list, ",") {
		if strings.TrimSpace(x) == id {
			return true
		}
	}
	return false
}

// nonNilTags keeps empty tag lists as [] on the wire: the schema says array, not null.
func nonNilTags(t []ebsTag) []ebsTag {
	if t == nil {
		return []ebsTag{}
	}
	return t
}

func ack() map[string]any { return map[string]any{} }
