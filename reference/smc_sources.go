package reference

import (
	"fmt"
	"strings"
	"time"
)

var sourceStates = []string{"Unavailable", "Available", "InUse", "Deleting"}

// sourcePart is a partition as the agent reports it.
type sourcePart struct {
	Path      string `json:"Path"`
	Device    string `json:"Device"`
	SizeBytes int64  `json:"SizeBytes"`
	Need      bool   `json:"Need"`
	CanBlock  bool   `json:"CanBlock"`
}

type sourceDataDisk struct {
	Index int    `json:"Index"`
	Size  int    `json:"Size"`
	Path  string `json:"Path"`
	Parts struct {
		Part []sourcePart `json:"Part"`
	} `json:"Parts"`
}

// sourceView is a source server as DescribeSourceServers returns it.
type sourceView struct {
	SourceId          string `json:"SourceId"`
	JobId             string `json:"JobId"`
	Name              string `json:"Name"`
	Description       string `json:"Description"`
	State             string `json:"State"`
	ErrorCode         string `json:"ErrorCode"`
	StatusInfo        string `json:"StatusInfo"`
	AgentVersion      string `json:"AgentVersion"`
	Platform          string `json:"Platform"`
	Architecture      string `json:"Architecture"`
	KernelLevel       int    `json:"KernelLevel"`
	ReplicationDriver string `json:"ReplicationDriver"`
	SystemInfo        string `json:"SystemInfo"`
	HeartbeatRate     int    `json:"HeartbeatRate"`
	CreationTime      string `json:"CreationTime"`
	SystemDiskSize    int    `json:"SystemDiskSize"`
	ResourceGroupId   string `json:"ResourceGroupId"`
	WorkgroupId       string `json:"WorkgroupId"`
	SystemDiskParts   struct {
		SystemDiskPart []sourcePart `json:"SystemDiskPart"`
	} `json:"SystemDiskParts"`
	DataDisks struct {
		DataDisk []sourceDataDisk `json:"DataDisk"`
	} `json:"DataDisks"`
	Tags smcTags `json:"Tags"`
}

// filled makes every list non-nil: the contract's lists are arrays, never null.
func (v sourceView) filled() sourceView {
	if v.SystemDiskParts.SystemDiskPart == nil {
		v.SystemDiskParts.SystemDiskPart = []sourcePart{}
	}
	disks := make([]sourceDataDisk, 0, len(v.DataDisks.DataDisk))
	for _, d := range v.DataDisks.DataDisk {
		if d.Parts.Part == nil {
			d.Parts.Part = []sourcePart{}
		}
		disks = append(disks, d)
	}
	v.DataDisks.DataDisk = disks
	v.Tags = v.Tags.filled()
	return v
}

// sourceServer is a source with the agent's own state: InUse is derived from jobs, so the
// state the agent reports (Available or Unavailable) is kept apart and wins when it is
// Unavailable.
type sourceServer struct {
	sourceView
	Agent    string    `json:"runtime_agent"`
	RemoveAt time.Time `json:"runtime_removeAt,omitzero"` // Deleting: when it disappears
}

func newSeededSource(v sourceView, now time.Time) *sourceServer {
	src := &sourceServer{sourceView: v.filled(), Agent: "Available"}
	if v.State == "Unavailable" || v.State == "Deleting" {
		src.Agent = v.State
	}
	if v.State == "Deleting" {
		src.RemoveAt = now.Add(sourceDeletingDuration)
	}
	return src
}

// view returns a deep copy, so a response never aliases stored slices.
func (src *sourceServer) view() sourceView {
	v := src.sourceView
	v.SystemDiskParts.SystemDiskPart = append([]sourcePart{}, v.SystemDiskParts.SystemDiskPart...)
	disks := make([]sourceDataDisk, 0, len(v.DataDisks.DataDisk))
	for _, d := range v.DataDisks.DataDisk {
		d.Parts.Part = append([]sourcePart{}, d.Parts.Part...)
		disks = append(disks, d)
	}
	v.DataDisks.DataDisk = disks
	v.Tags = v.Tags.clone()
	return v
}

// State reads a state field for the contract's preconditions.
func (src *sourceServer) State(field string) string {
	if field == "State" {
		return src.sourceView.State
	}
	return ""
}

func (src *sourceServer) refresh(busy bool) {
	switch {
	case src.Agent != "Available":
		src.sourceView.State = src.Agent
	case busy:
		src.sourceView.State = "InUse"
	default:
		src.sourceView.State = "Available"
	}
}

func (src *sourceServer) force(fields map[string]string) error {
	for k, v := range fields {
		switch k {
		case "State":
			if v != "Available" && v != "Unavailable" {
				return fmt.Errorf("a source's State can be forced to Available or Unavailable (InUse follows its jobs), not %q", v)
			}
			src.Agent = v
		case "ErrorCode":
			src.ErrorCode = v
		case "StatusInfo":
			src.StatusInfo = v
		default:
			return fmt.Errorf("source field %q cannot be forced", k)
		}
	}
	return nil
}

// hasDataDisk reports whether the source has a data disk with this index.
func (src *sourceServer) hasDataDisk(index int) bool {
	for _, d := range src.DataDisks.DataDisk {
		if d.Index == index {
			return true
		}
	}
	return false
}

func describeSourceServers(c *Ctx) (any, error) {
	s := c.Account.SMC
	f := newSourceFilter(c)
	number, size := pageBounds(c)
	start := (number - 1) * size
	var page []*sourceServer
	total := len(s.Sources)
	if f.empty() {
		page = cutPage(s.Sources, start, size)
	} else {
		page, total = scanPage(s.Sources, func(src *sourceServer) bool { return s.sourceMatches(f, src) }, start, size)
	}
	// Encoded under the account lock, in place: no view of a source is copied.
	return sourcePageJSON(page, total, number, size), nil
}

// sourceFilter holds DescribeSourceServers' filters, read from the request once; they are
// ANDed and an empty one is ignored.
type sourceFilter struct {
	jobID, name, state, workgroup, resGroup string
	sourceIDs, relatedTypes                 []string
	tags                                    []map[string]any
}

func newSourceFilter(c *Ctx) sourceFilter {
	return sourceFilter{jobID: c.Str("JobId"), name: c.Str("Name"), state: c.Str("State"),
		workgroup: c.Str("WorkgroupId"), resGroup: c.Str("ResourceGroupId"),
		sourceIDs: c.Strs("SourceId"), relatedTypes: c.Strs("RelatedJobType"), tags: c.Objs("Tag")}
}

func (f sourceFilter) empty() bool {
	return f.jobID == "" && f.name == "" && f.state == "" && f.workgroup == "" && f.resGroup == "" &&
		len(f.sourceIDs) == 0 && len(f.relatedTypes) == 0 && len(f.tags) == 0
}

// sourceMatches applies DescribeSourceServers' filters.
func (s *smcState) sourceMatches(f sourceFilter, src *sourceServer) bool {
	if !eq(f.jobID, src.JobId) || !eq(f.name, src.Name) || !eq(f.state, src.sourceView.State) ||
		!eq(f.workgroup, src.WorkgroupId) || !eq(f.resGroup, src.ResourceGroupId) || !in(f.sourceIDs, src.SourceId) {
		return false
	}
	if len(f.relatedTypes) > 0 && !s.hasJobOfType(src.SourceId, f.relatedTypes) {
		return false
	}
	return src.Tags.matches(f.tags)
}

// relatedJobTypes names JobType values the way RelatedJobType.N does.
var relatedJobTypes = map[int]string{0: "Server", 1: "Os", 2: "Cross_Zone", 3: "VMWare"}

// hasJobOfType reports whether the source has a job of one of the named types; Not_Related
// selects sources without any job.
func (s *smcState) hasJobOfType(sourceID string, types []string) bool {
	related := false
	for _, j := range s.jobsOf(sourceID) {
		related = true
		if contains(types, relatedJobTypes[j.JobType]) {
			return true
		}
	}
	return !related && contains(types, "Not_Related")
}

func modifySourceServerAttribute(c *Ctx) (any, error) {
	s := c.Account.SMC
	src := s.source(c.Str("SourceId"))
	if c.Has("Name") {
		name := c.Str("Name")
		for _, o := range s.Sources {
			if o != src && o.Name == name {
				return nil, c.Err("SourceServerName.Duplicate")
			}
		}
		src.Name = name
	}
	if c.Has("Description") {
		src.Description = c.Str("Description")
	}
	return struct{}{}, nil
}

// deleteSourceServer removes a source: it shows Deleting for a moment, then it is gone. A
// running job always blocks; other jobs block unless Force is set, in which case they are
// deleted with the source.
func deleteSourceServer(c *Ctx) (any, error) {
	s := c.Account.SMC
	id := c.Str("SourceId")
	var related []string
	for _, j := range s.Jobs {
		if j.SourceId != id || j.Status == "Deleting" {
			continue
		}
		if j.Status == "Running" {
			return nil, c.Err("SourceServer.WithRunningReplicationJob")
		}
		related = append(related, j.JobId)
	}
	if len(related) > 0 && !c.Bool("Force", false) {
		return nil, c.Err("ReplicationJob.Related", strings.Join(related, c.Action.Product.ListSeparator))
	}
	for _, jobID := range related {
		s.job(jobID).forceStatus("Deleting", c.Now)
	}
	src := s.source(id)
	src.Agent, src.RemoveAt = "Deleting", c.Now.Add(sourceDeletingDuration)
	for _, w := range s.Workgroups {
		w.SourceIds = removeStrings(w.SourceIds, []string{id})
	}
	src.WorkgroupId = ""
	s.refresh()
	return struct{}{}, nil
}
