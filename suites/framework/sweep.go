package framework

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/smcct/smcct/spec"
)

// Leftover is an object an earlier run made and did not remove: its name carries a run tag
// (Target.RunID). A drill has no name; it is a leftover when its group is.
type Leftover struct {
	Obj     *Obj
	Name    string
	Started time.Time
}

// lister says how to list one kind: the action, where its answer keeps the items, and the
// field that holds the name a run gave.
type lister struct {
	kind, action, name string
	ebs                bool
}

var listers = []lister{
	{kind: "ReplicationJob", action: "DescribeReplicationJobs", name: "Name"},
	{kind: "AccessToken", action: "ListAccessTokens", name: "Name"},
	{kind: "Workgroup", action: "DescribeWorkgroups", name: "Name"},
	{kind: "ReplicaGroup", action: "DescribeDiskReplicaGroups", name: "GroupName", ebs: true},
	{kind: "ReplicaPair", action: "DescribeDiskReplicaPairs", name: "PairName", ebs: true},
}

// FindLeftovers lists the objects of the client's account whose names a run with the tag
// gave, in the EBS regions given (SMC lists its objects from the client's own region), with
// the drills of such groups. Untagged objects are never listed.
func FindLeftovers(ctx context.Context, c *Client, tag string, regions []string) ([]Leftover, error) {
	var out []Leftover
	for _, l := range listers {
		where := []string{""}
		if l.ebs {
			where = regions
		}
		for _, region := range where {
			items, err := listAll(ctx, c, l.action, region)
			if err != nil {
				return out, err
			}
			for _, item := range items {
				name := str(item[l.name])
				started, ok := ParseRunName(tag, name)
				if !ok {
					continue
				}
				o := &Obj{Kind: l.kind, ID: str(item[objectOf(l.kind).IDField])}
				o.seen(item)
				out = append(out, Leftover{Obj: o, Name: name, Started: started})
			}
		}
	}
	drills, err := groupDrills(ctx, c, out)
	return append(drills, out...), err
}

// groupDrills lists the drills of leftover groups and pairs; they go before their parents.
func groupDrills(ctx context.Context, c *Client, left []Leftover) ([]Leftover, error) {
	var out []Leftover
	for _, l := range left {
		kind, action, param := "Drill", "DescribeReplicaGroupDrills", "GroupId"
		switch l.Obj.Kind {
		case "ReplicaGroup":
		case "ReplicaPair":
			kind, action, param = "PairDrill", "DescribePairDrills", "PairId"
		default:
			continue
		}
		a := MustAction(action)
		if a == nil {
			continue
		}
		r, err := c.Call(ctx, a, url.Values{"RegionId": {l.Obj.Dst.Region}, param: {l.Obj.ID}})
		if err != nil || !r.OK() {
			return out, fmt.Errorf("%s of %s: %s", action, l.Obj.ID, errText(r, err))
		}
		for _, item := range listItems(r.Response.Data) {
			o := &Obj{Kind: kind, ID: str(item["DrillId"]), Parent: l.Obj}
			o.seen(item)
			out = append(out, Leftover{Obj: o, Name: "a drill of " + l.Name, Started: l.Started})
		}
	}
	return out, nil
}

// listAll reads every page of a list action: numbered pages (PageNumber, PageSize) or token
// pages (NextToken, MaxResults), whichever the contract gives it, at the largest page size.
func listAll(ctx context.Context, c *Client, action, region string) ([]map[string]any, error) {
	a := MustAction(action)
	if a == nil {
		return nil, fmt.Errorf("the contract has no %s", action)
	}
	q := url.Values{}
	if region != "" {
		q.Set("RegionId", region)
	}
	numbered := hasParam(a, "PageNumber")
	sizeParam := "PageSize"
	if !numbered {
		sizeParam = "MaxResults"
	}
	if p, ok := a.Param(sizeParam); ok && p.Schema.Max != nil {
		q.Set(sizeParam, strconv.Itoa(int(*p.Schema.Max)))
	}
	var out []map[string]any
	for page := 1; page <= 10000; page++ {
		if numbered {
			q.Set("PageNumber", strconv.Itoa(page))
		}
		r, err := c.CallAnyRegion(ctx, a, q) // SMC lists: every region's objects
		if err != nil || !r.OK() {
			return out, fmt.Errorf("%s: %s", action, errText(r, err))
		}
		items := listItems(r.Response.Data)
		out = append(out, items...)
		next := r.Str("NextToken")
		switch {
		case numbered && len(items) == 0:
			return out, nil
		case !numbered && next == "":
			return out, nil
		case !numbered:
			q.Set("NextToken", next)
		}
	}
	return out, fmt.Errorf("%s: more than 10000 pages", action)
}

func hasParam(a *spec.Action, name string) bool {
	_, ok := a.Param(name)
	return ok
}

// listItems finds the list in an answer: the one array of objects it holds, at the top
// (EBS) or wrapped once (SMC: ReplicationJobs.ReplicationJob).
func listItems(data map[string]any) []map[string]any {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := data[k]
		if wrap, ok := v.(map[string]any); ok && len(wrap) == 1 {
			for _, inner := range wrap {
				v = inner
			}
		}
		if list, ok := v.([]any); ok {
			out := make([]map[string]any, 0, len(list))
			for _, it := range list {
				if m, ok := it.(map[string]any); ok {
					out = append(out, m)
				}
			}
			return out
		}
	}
	return nil
}

// Sweeper removes objects the way a walker cleans up: each by the cheapest path into a
// state a delete admits, then waited for until it is gone.
type Sweeper struct{ w *Walker }

// NewSweeper removes objects through c, waiting as long as the contract's durations take
// at time scale scale (1 when unknown).
func NewSweeper(c *Client, scale float64) *Sweeper {
	if scale <= 0 {
		scale = 1
	}
	return &Sweeper{w: &Walker{c: c, scale: scale}}
}

// Remove removes one leftover; a group's member pairs must be removed first.
func (s *Sweeper) Remove(ctx context.Context, o *Obj) error { return s.w.remove(ctx, o) }

// Order sorts leftovers for removal: drills, then pairs and the rest, then groups.
func Order(left []Leftover) []Leftover {
	out := append([]Leftover(nil), left...)
	rank := func(o *Obj) int {
		if r, ok := removalRank[o.Kind]; ok {
			return r
		}
		return 1
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].Obj) < rank(out[j].Obj) })
	return out
}
