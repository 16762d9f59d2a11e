package conformance

import (
	"context"
	"net/url"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// Isolation: an object the default account owns is, for the second account, the same as an
// ID that names nothing. Every action that can name the kind is sent twice from the second
// account, once with the owned ID and once with an absent one, and must answer both alike;
// a read that succeeds must not show the owned object.

// namingParams are the parameters that carry an ID of a kind under another name than the
// kind's own ID parameter: list filters and the tag actions' resource IDs.
var namingParams = map[string]map[string]string{
	"ReplicaGroup":   {"GroupIds": "", "GroupId": ""},
	"ReplicaPair":    {"PairIds": "", "PairId": ""},
	"ReplicationJob": {"ResourceId": "replicationjob"},
	"SourceServer":   {"ResourceId": "sourceserver"},
}

// isolationCase is one action that names one kind through one parameter.
type isolationCase struct {
	action *spec.Action
	kind   string
	param  string
	// resourceType is what the tag actions' ResourceType must say for this kind.
	resourceType string
}

func isolationCases(kind string) []isolationCase {
	var out []isolationCase
	for _, a := range framework.Catalog().Actions() {
		o := a.Product.Objects[kind]
		if o == nil {
			continue
		}
		for _, p := range a.Params {
			rt, alias := namingParams[kind][p.Name]
			if p.Name == o.IDParam || alias {
				out = append(out, isolationCase{action: a, kind: kind, param: p.Name, resourceType: rt})
				break
			}
		}
	}
	return out
}

// params builds the action's baseline request naming id through the case's parameter.
func (c isolationCase) params(id string) (url.Values, bool) {
	tree, ok := cases.Baseline(c.action)
	if !ok {
		return nil, false
	}
	p, _ := c.action.Param(c.param)
	if p.Schema.Type.Is(openapi3.TypeArray) {
		tree[c.param] = []any{id}
	} else {
		tree[c.param] = id
	}
	if c.resourceType != "" {
		tree["ResourceType"] = c.resourceType
	}
	return cases.Query(c.action, tree), true
}

// owned creates (or seeds) one object of a kind in the default account and returns its ID.
type owner func(ctx SpecContext, f *framework.F) string

var owners = map[string]owner{
	"SourceServer": func(ctx SpecContext, f *framework.F) string {
		return seedDefaultSource(ctx, f)
	},
	"ReplicationJob": func(ctx SpecContext, f *framework.F) string {
		src := seedDefaultSource(ctx, f)
		a := f.NeedAction("CreateReplicationJob")
		r := f.Call(ctx, a.Name, jobParams(src, f.Name("job")))
		Expect(r).To(framework.Succeed200(), "setup: CreateReplicationJob")
		cleanupCreated(ctx, f, a, r)
		return r.Str("JobId")
	},
	"AccessToken":  created("CreateAccessToken", "AccessToken", url.Values{}, "Name"),
	"Workgroup":    created("CreateWorkgroup", "Workgroup", url.Values{}, "Name"),
	"ReplicaGroup": created("CreateDiskReplicaGroup", "ReplicaGroup", groupParams(""), "GroupName"),
	"ReplicaPair": func(ctx SpecContext, f *framework.F) string {
		src, dst := seedDefaultDisks(ctx, f)
		a := f.NeedAction("CreateDiskReplicaPair")
		q := ebsPairParams(src, dst)
		if !f.T.Caps.Control {
			q.Set("PairName", f.Name("pair"))
		}
		r := f.Call(ctx, a.Name, q)
		Expect(r).To(framework.Succeed200(), "setup: CreateDiskReplicaPair")
		if !f.T.Caps.Control {
			f.Walker(ctx).AdoptCreated(r)
		}
		return r.Str("ReplicaPairId")
	},
	"Disk": func(ctx SpecContext, f *framework.F) string {
		src, _ := seedDefaultDisks(ctx, f)
		return src
	},
}

// created makes an owner that calls a create action with a name from the spec text and
// deletes the object at cleanup, as far as its state then allows.
func created(action, kind string, base url.Values, nameParam string) owner {
	return func(ctx SpecContext, f *framework.F) string {
		GinkgoHelper()
		a := f.NeedAction(action)
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		q.Set(nameParam, f.Name("iso"))
		r := f.Call(ctx, action, q)
		Expect(r).To(framework.Succeed200(), "setup: %s", action)
		o := a.Product.Objects[kind]
		id := r.Str(o.IDField)
		if !f.T.Caps.Control {
			f.Walker(ctx).AdoptCreated(r) // removed when the spec ends, waiting for it to go
			return id
		}
		if del := framework.MustAction("Delete" + kind); del != nil {
			dq := url.Values{o.IDParam: {id}}
			if _, regional := del.Param("RegionId"); regional {
				dq.Set("RegionId", srcRegion)
			}
			f.Cleanup(func(ctx context.Context) { _, _ = f.Client.Call(ctx, del, dq) })
		}
		return id
	}
}

// seedDefaultSource is a source server of the default account: seeded through the control
// plane, or one of the target profile's, leased for the spec.
func seedDefaultSource(ctx SpecContext, f *framework.F) string {
	GinkgoHelper()
	if !f.T.Caps.Control {
		return f.Walker(ctx).LeaseSource(ctx, "Available").ID
	}
	id := f.ID("s-")
	Expect(f.NeedControl().Seed(ctx, "", map[string][]map[string]any{"sourceServers": {seededSource(id)}})).To(Succeed())
	f.Cleanup(func(ctx context.Context) {
		_, _ = f.Client.Call(ctx, framework.MustAction("DeleteSourceServer"), url.Values{"SourceId": {id}, "Force": {"true"}})
	})
	return id
}

func seedDefaultDisks(ctx SpecContext, f *framework.F) (string, string) {
	GinkgoHelper()
	if !f.T.Caps.Control {
		d := f.Walker(ctx).Lease("")
		if d.Src.Zone != srcZone || d.Dst.Zone != dstZone {
			Skip("the profile's free disks are not in " + srcZone + " and " + dstZone + ", where the isolation specs replicate")
		}
		return d.Src.ID, d.Dst.ID
	}
	src, dst := f.ID("d-"), f.ID("d-")
	Expect(f.NeedControl().Seed(ctx, "", map[string][]map[string]any{"disks": {
		{"DiskId": src, "RegionId": srcRegion, "ZoneId": srcZone, "Size": 100, "Category": "cloud_essd", "Status": "Available"},
		{"DiskId": dst, "RegionId": dstRegion, "ZoneId": dstZone, "Size": 100, "Category": "cloud_essd", "Status": "Available"},
	}})).To(Succeed())
	return src, dst
}

var _ = Describe("Isolation between accounts", Label("isolation", "needs:writes"), func() {
	f := framework.New()
	kinds := make([]string, 0, len(owners))
	for k := range owners {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		for _, c := range isolationCases(kind) {
			// Kinds the API cannot create are seeded, or leased from the target profile.
			labels := Label("action:" + c.action.Name)
			text := c.action.Name + " from another account naming the default account's " + kind + " answers as for an unknown ID"
			if !c.action.Write {
				text += " and does not show it"
			}
			It(text, labels, func(ctx SpecContext) {
				f.NeedWrites()
				other := f.NeedOther()
				id := owners[kind](ctx, f)
				Expect(id).NotTo(BeEmpty(), "the setup returned the object's ID")
				owned, ok := c.params(id)
				if !ok {
					Skip("no valid baseline request for " + c.action.Name)
				}
				absent, _ := c.params(f.ID(c.action.Product.Objects[kind].IDPrefix))
				got := f.CallWith(ctx, other, c.action, owned)
				want := f.CallWith(ctx, other, c.action, absent)
				expectAlike(got, want)
				if got.OK() {
					Expect(string(got.Response.Body)).NotTo(ContainSubstring(id), "the answer shows the other account's %s", kind)
				}
			})
		}
	}
})

// expectAlike: two answers agree on success or on status and code.
func expectAlike(got, want *framework.Result) {
	GinkgoHelper()
	if want.OK() {
		Expect(got).To(framework.Succeed200(), "an absent ID is accepted, so the other account's ID must be too")
		return
	}
	Expect(want.Err).NotTo(BeNil())
	Expect(got).To(framework.HaveCode(want.Err.Code, want.Err.Status), "as for an absent ID: %s", strings.TrimSpace(want.GomegaString()))
}

// cleanupCreated removes what a setup call created: through the walker, which waits for the
// removal to settle, when the target has no control plane.
func cleanupCreated(ctx SpecContext, f *framework.F, a *spec.Action, r *framework.Result) {
	if !f.T.Caps.Control {
		f.Walker(ctx).AdoptCreated(r)
		return
	}
	f.CleanupCreated(a, r)
}
