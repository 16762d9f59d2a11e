package reference

// Workgroup quotas from the API overview: 50 workgroups per account, 50 sources in each.
const (
	maxWorkgroups        = 50
	maxSourcesPerWorkgrp = 50
)

type workgroupWarning struct {
	WarningType string `json:"WarningType"`
	SourceIds   struct {
		SourceId []string `json:"SourceId"`
	} `json:"SourceIds"`
}

// workgroupView is a workgroup as DescribeWorkgroups returns it.
type workgroupView struct {
	WorkgroupId  string  `json:"WorkgroupId"`
	Name         string  `json:"Name"`
	Description  string  `json:"Description"`
	Status       string  `json:"Status"`
	CreationTime string  `json:"CreationTime,omitempty"`
	Tags         smcTags `json:"Tags"`
	Warnings     struct {
		Warning []workgroupWarning `json:"Warning"`
	} `json:"Warnings"`
	// SourceIds lists the member sources; the API shows membership on the sources
	// (WorkgroupId) only, so this stays out of responses (see view).
	SourceIds []string `json:"SourceIds,omitempty"`
}

func (v workgroupView) filled() workgroupView {
	v.Tags = v.Tags.filled()
	if v.Warnings.Warning == nil {
		v.Warnings.Warning = []workgroupWarning{}
	}
	v.SourceIds = append([]string{}, v.SourceIds...)
	if v.Status == "" {
		v.Status = "NotStarted"
	}
	return v
}

// workgroup is a named set of sources whose status follows their jobs.
type workgroup struct {
	workgroupView
}

func (w *workgroup) view() workgroupView {
	v := w.workgroupView.filled()
	v.Tags = v.Tags.clone()
	return v
}

// responseView is the Describe shape, without the membership list.
func (w *workgroup) responseView() workgroupView {
	v := w.view()
	v.SourceIds = nil
	return v
}

// State reads a state field for the contract's preconditions.
func (w *workgroup) State(field string) string {
	if field == "Status" {
		return w.Status
	}
	return ""
}

// refresh derives Status and Warnings from the members' latest jobs: NotStarted until one
// has a job, Completed when every member's job is Finished, InProgress in between. Members
// without a job are UnRelated, members whose job failed are InError.
func (w *workgroup) refresh(look memberIndex) {
	var withJob, finished int
	var unrelated, failed []string
	for _, id := range w.SourceIds {
		src := look.sources[id]
		var j *replicationJob
		if src != nil {
			j = look.jobs[src.JobId]
		}
		switch {
		case j == nil:
			unrelated = append(unrelated, id)
			continue
		case j.Status == "InError":
			failed = append(failed, id)
		case j.Status == "Finished":
			finished++
		}
		withJob++
	}
	switch {
	case withJob == 0:
		w.Status = "NotStarted"
	case finished == len(w.SourceIds):
		w.Status = "Completed"
	default:
		w.Status = "InProgress"
	}
	w.Warnings.Warning = []workgroupWarning{}
	for _, wg := range []struct {
		kind string
		ids  []string
	}{{"InError", failed}, {"UnRelated", unrelated}} {
		if len(wg.ids) > 0 {
			warn := workgroupWarning{WarningType: wg.kind}
			warn.SourceIds.SourceId = wg.ids
			w.Warnings.Warning = append(w.Warnings.Warning, warn)
		}
	}
}

// memberIndex holds the sources of every workgroup member and their jobs, found in one pass
// over each list: looking each member up by scanning made a refresh cost members times
// sources, and seeding 60,000 sources in workgroups took minutes.
type memberIndex struct {
	sources map[string]*sourceServer
	jobs    map[string]*replicationJob
}

func (s *smcState) memberIndex() memberIndex {
	look := memberIndex{sources: map[string]*sourceServer{}, jobs: map[string]*replicationJob{}}
	for _, w := range s.Workgroups {
		for _, id := range w.SourceIds {
			look.sources[id] = nil
		}
	}
	for _, src := range s.Sources {
		if old, member := look.sources[src.SourceId]; member && old == nil {
			look.sources[src.SourceId] = src
			if src.JobId != "" {
				look.jobs[src.JobId] = nil
			}
		}
	}
	for _, j := range s.Jobs {
		if old, wanted := look.jobs[j.JobId]; wanted && old == nil {
			look.jobs[j.JobId] = j
		}
	}
	return look
}

func createWorkgroup(c *Ctx) (any, error) {
	s := c.Account.SMC
	if len(s.Workgroups) >= maxWorkgroups {
		return nil, c.Err("QuotaExceeded.Workgroup")
	}
	w := &workgroup{workgroupView{
		WorkgroupId: c.Account.NewID(idPrefix(c, "Workgroup", "w-")), Name: c.Str("Name"), Description: c.Str("Description"),
		CreationTime: fmtTime(c.Now),
	}.filled()}
	w.Tags.set(tagsParam(c))
	s.Workgroups = append(s.Workgroups, w)
	s.refresh()
	return map[string]any{"WorkgroupId": w.WorkgroupId}, nil
}

func describeWorkgroups(c *Ctx) (any, error) {
	var match []workgroupView
	for _, w := range c.Account.SMC.Workgroups {
		if inFilter(c, "WorkgroupId", w.WorkgroupId) && eqFilter(c, "Name", w.Name) &&
			eqFilter(c, "Status", w.Status) && w.Tags.matches(c.Objs("Tag")) {
			match = append(match, w.responseView())
		}
	}
	page, number, size := paginate(c, match)
	return map[string]any{
		"TotalCount": len(match), "PageNumber": number, "PageSize": size,
		"Workgroups": map[string]any{"Workgroup": page},
	}, nil
}

func modifyWorkgroupAttribute(c *Ctx) (any, error) {
	w := c.Account.SMC.workgroup(c.Str("WorkgroupId"))
	copyStrings(c, map[string]*string{"Name": &w.Name, "Description": &w.Description})
	return struct{}{}, nil
}

// deleteWorkgroup removes the group; its sources stay, without a workgroup.
func deleteWorkgroup(c *Ctx) (any, error) {
	s := c.Account.SMC
	w := s.workgroup(c.Str("WorkgroupId"))
	setWorkgroup(s, w.SourceIds, "")
	s.Workgroups = without(s.Workgroups, func(o *workgroup) bool { return o == w })
	return struct{}{}, nil
}

// associateSourceServers adds sources to a group. A source belongs to one group at most:
// one that is in another group is refused; one already in this group is left as it is.
func associateSourceServers(c *Ctx) (any, error) {
	s := c.Account.SMC
	w := s.workgroup(c.Str("WorkgroupId"))
	ids := c.Strs("SourceId")
	var added []string
	for _, id := range ids {
		src := s.source(id)
		switch {
		case src == nil:
			return nil, c.NotFound("SourceServer")
		case src.WorkgroupId == w.WorkgroupId || contains(added, id):
			continue
		case src.WorkgroupId != "":
			return nil, c.Err("SourceServer.InOtherWorkgroup", id, src.WorkgroupId)
		}
		added = append(added, id)
	}
	if len(w.SourceIds)+len(added) > maxSourcesPerWorkgrp {
		return nil, c.Err("QuotaExceeded.WorkgroupSourceServer")
	}
	w.SourceIds = append(w.SourceIds, added...)
	setWorkgroup(s, added, w.WorkgroupId)
	s.refresh()
	return struct{}{}, nil
}

// disassociateSourceServers removes sources from a group. A source outside the group is
// left as it is (the contract's choice), so a retried call succeeds.
func disassociateSourceServers(c *Ctx) (any, error) {
	s := c.Account.SMC
	w := s.workgroup(c.Str("WorkgroupId"))
	var members []string
	for _, id := range c.Strs("SourceId") {
		src := s.source(id)
		if src == nil {
			return nil, c.NotFound("SourceServer")
		}
		if src.WorkgroupId != w.WorkgroupId {
			// The contract's choice: naming a non-member is a caller's mistake, and the
			// whole call changes nothing.
			return nil, c.Err("SourceServer.NotInWorkgroup")
		}
		members = append(members, id)
	}
	w.SourceIds = removeStrings(w.SourceIds, members)
	setWorkgroup(s, members, "")
	s.refresh()
	return struct{}{}, nil
}

func setWorkgroup(s *smcState, ids []string, group string) {
	for _, id := range ids {
		if src := s.source(id); src != nil {
			src.WorkgroupId = group
		}
	}
}

func removeStrings(list, drop []string) []string {
	return without(append([]string{}, list...), func(x string) bool { return contains(drop, x) })
}
