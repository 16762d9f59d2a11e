package framework

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/smcct/smcct/spec"
)

// Obj is one object a walker created or took from the target's profile, as last seen
// through the public API.
type Obj struct {
	Kind string
	ID   string
	// Src and Dst are a replica group's or pair's ends as Describe last showed them: reprotect
	// swaps them, and actions are addressed to one end or the other.
	Src, Dst Site
	// Parent is what a drill drills: a replica group, or a pair.
	Parent *Obj
	// Fixture: the API cannot create the object again, so a walker never deletes it.
	Fixture bool
	// State holds the state fields Describe last showed; Fields the whole item.
	State  map[string]string
	Fields map[string]any
	// Flags are the history flags of the contract's lifecycle the walker knows to be set.
	Flags map[string]string
	// DiskSize is the largest source disk of a pair, or of a group's members, in GiB: full
	// syncs last by it.
	DiskSize int
}

// Values are the numbers the contract's delays read for o.
func (o *Obj) Values() spec.Values {
	return func(kind, field string) (float64, bool) {
		if kind == "Disk" && field == "Size" && o.DiskSize > 0 {
			return float64(o.DiskSize), true
		}
		if kind == "" {
			if v, ok := o.Fields[field].(json.Number); ok {
				f, err := v.Float64()
				return f, err == nil
			}
			if v, ok := o.Fields[field].(float64); ok {
				return v, true
			}
		}
		return 0, false
	}
}

func (o *Obj) String() string { return o.Kind + " " + o.ID }

// reader says how the public API shows one kind: the read action, the parameter that names
// the object, and the list in the answer (the product's wrapping is searched through).
type reader struct {
	action, param string
	list          bool // the parameter is a list (JobId.1)
}

// readers are the Describe actions of every kind a walker moves. Disks have none in these
// products (ECS owns them): their state is what the profile says.
var readers = map[string]reader{
	"ReplicationJob": {action: "DescribeReplicationJobs", param: "JobId", list: true},
	"SourceServer":   {action: "DescribeSourceServers", param: "SourceId", list: true},
	"AccessToken":    {action: "ListAccessTokens", param: "AccessTokenId"},
	"Workgroup":      {action: "DescribeWorkgroups", param: "WorkgroupId", list: true},
	"ReplicaGroup":   {action: "DescribeDiskReplicaGroups", param: "GroupIds"},
	"ReplicaPair":    {action: "DescribeDiskReplicaPairs", param: "PairIds"},
	"Drill":          {action: "DescribeReplicaGroupDrills", param: "GroupId"},
	"PairDrill":      {action: "DescribePairDrills", param: "PairId"},
}

// drillParent is the parameter that names a drill's parent, by drill kind.
var drillParent = map[string]string{"Drill": "GroupId", "PairDrill": "PairId"}

// atDestination are the EBS actions a service takes only in the destination region of a
// group or pair (docs/reference-ebs.md, "Regions and sites"); every other EBS action is
// addressed to the source region.
var atDestination = map[string]bool{
	"FailoverDiskReplicaGroup": true, "FailoverDiskReplicaPair": true,
	"ReprotectDiskReplicaGroup": true, "ReprotectDiskReplicaPair": true,
	"StartReplicaGroupDrill": true, "ClearReplicaGroupDrill": true, "DescribeReplicaGroupDrills": true,
	"StartPairDrill": true, "ClearPairDrill": true, "DescribePairDrills": true,
}

// Address returns the parameters that name o in a call of action: its ID and, for EBS
// objects, the region of the end the action must be called at.
func (o *Obj) Address(action string) url.Values {
	q := url.Values{}
	switch o.Kind {
	case "Drill", "PairDrill":
		q.Set("RegionId", o.Parent.Dst.Region)
		q.Set(drillParent[o.Kind], o.Parent.ID)
		q.Set("DrillId", o.ID)
		return q
	case "ReplicaGroup", "ReplicaPair":
		region := o.Src.Region
		if atDestination[action] {
			region = o.Dst.Region
		}
		q.Set("RegionId", region)
	case "ReplicationJob":
		// A job answers in the region it was made in (a spec may make one elsewhere).
		if region := str(o.Fields["RegionId"]); region != "" {
			q.Set("RegionId", region)
		}
	}
	if ob := objectOf(o.Kind); ob != nil {
		q.Set(ob.IDParam, o.ID)
	}
	return q
}

func objectOf(kind string) *spec.Object {
	for _, p := range Catalog().Products() {
		if o := p.Objects[kind]; o != nil {
			return o
		}
	}
	return nil
}

func productOf(kind string) *spec.Product {
	for _, p := range Catalog().Products() {
		if p.Objects[kind] != nil {
			return p
		}
	}
	return nil
}

// Observe reads o through its Describe action and updates what o shows; present is false
// when the answer does not list it. An answer that breaks the contract fails the spec like
// any other; a refusal of the read is returned as an error.
func (c *Client) Observe(ctx context.Context, o *Obj) (present bool, err error) {
	r, ok := readers[o.Kind]
	if !ok {
		return o.Fixture, nil // disks: nothing to read; the profile's word stands
	}
	a := MustAction(r.action)
	if a == nil {
		return false, fmt.Errorf("the contract has no %s", r.action)
	}
	var sites []url.Values
	switch o.Kind {
	case "Drill", "PairDrill":
		sites = []url.Values{o.Address(r.action)}
		sites[0].Del("DrillId")
	case "ReplicaGroup", "ReplicaPair":
		// Either end shows the object; Describe lists one site at a time.
		for _, site := range []string{"production", "backup"} {
			sites = append(sites, url.Values{"RegionId": {o.Src.Region}, r.param: {o.ID}, "Site": {site}})
		}
	default:
		name := r.param
		if r.list {
			name += ".1"
		}
		sites = []url.Values{{name: {o.ID}}}
	}
	idField := objectOf(o.Kind).IDField
	for _, q := range sites {
		res, err := c.CallAnyRegion(ctx, a, q)
		if err != nil {
			return false, err
		}
		if !res.OK() {
			if res.Err != nil && res.Err.Code == objectOf(o.Kind).NotFound && drillParent[o.Kind] != "" {
				return false, nil // the parent is gone, and its drills with it
			}
			return false, fmt.Errorf("%s: %s", r.action, res.Err)
		}
		if item, found := FindByID(res.Response.Data, idField, o.ID); found {
			o.seen(item)
			return true, nil
		}
	}
	return false, nil
}

// seen records what a Describe item shows.
func (o *Obj) seen(item map[string]any) {
	o.Fields = item
	o.State = map[string]string{}
	if ob := objectOf(o.Kind); ob != nil {
		for f := range ob.States {
			if v, ok := item[f]; ok && v != nil && fmt.Sprint(v) != "" {
				o.State[f] = fmt.Sprint(v)
			}
		}
	}
	// Groups name their ends SourceRegionId and DestinationRegionId, pairs SourceRegion and
	// DestinationRegion.
	for _, suffix := range []string{"Id", ""} {
		if v := str(item["SourceRegion"+suffix]); v != "" {
			o.Src = Site{Region: v, Zone: str(item["SourceZoneId"])}
			o.Dst = Site{Region: str(item["DestinationRegion"+suffix]), Zone: str(item["DestinationZoneId"])}
			break
		}
	}
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// Facts are what the contract's timers read of o: its fields as text, and its flags.
func (o *Obj) Facts() map[string]string {
	out := map[string]string{}
	for k, v := range o.Fields {
		switch x := v.(type) {
		case string:
			out[k] = x
		case bool, json.Number, float64:
			out[k] = spec.WireText(x)
		}
	}
	for k, v := range o.Flags {
		out[k] = v
	}
	return out
}

// FindByID looks through an answer for the object whose field holds id, wherever the
// product's list wrapping puts it.
func FindByID(v any, field, id string) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		if fmt.Sprint(x[field]) == id {
			return x, true
		}
		for _, e := range x {
			if m, ok := FindByID(e, field, id); ok {
				return m, true
			}
		}
	case []any:
		for _, e := range x {
			if m, ok := FindByID(e, field, id); ok {
				return m, true
			}
		}
	}
	return nil, false
}
