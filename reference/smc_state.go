package reference

import (
	"encoding/json"
	"fmt"
	"time"
)

// smcState is the smc share of an account: source servers, replication jobs, access tokens
// and workgroups, each kept in creation order (the order Describe* lists them in). Objects
// are stored in the API's own shape (the embedded views) so that Describe*, the state dump
// and fixtures share one form; what the API does not show (lifecycle bookkeeping) sits next
// to the view under "runtime" and is rebuilt from the view when objects are seeded.
type smcState struct {
	Sources    []*sourceServer   `json:"sourceServers"`
	Jobs       []*replicationJob `json:"replicationJobs"`
	Tokens     []*accessToken    `json:"accessTokens"`
	Workgroups []*workgroup      `json:"workgroups"`
	// Now is the business time of the last advance; force has no clock of its own.
	Now time.Time `json:"now"`

	// jobsGen and sourcesGen count changes of the lists' membership or order; the indexes
	// are rebuilt for a new count before the account is unlocked (reindex).
	jobsGen, sourcesGen uint64
	jobIdx              listIndex[*replicationJob]
	sourceIdx           listIndex[*sourceServer]
}

// jobAttrs are the job attributes fixed at creation that DescribeReplicationJobs filters on.
func jobAttrs(j *replicationJob, add func(attr, value string)) {
	add("RegionId", j.RegionId)
	add("SourceId", j.SourceId)
}

// reindex brings the indexes up to the lists; it runs with the account locked exclusively,
// so that reads under a shared lock never change anything.
func (s *smcState) reindex() {
	s.jobIdx.sync(s.Jobs, s.jobsGen, jobAttrs)
	s.sourceIdx.sync(s.Sources, s.sourcesGen, nil)
}

// verifyIndexes panics if an index differs from one built from the lists now.
func (s *smcState) verifyIndexes() {
	var jobs listIndex[*replicationJob]
	var sources listIndex[*sourceServer]
	jobs.sync(s.Jobs, 1, jobAttrs)
	sources.sync(s.Sources, 1, nil)
	if !jobs.equal(&s.jobIdx) || !sources.equal(&s.sourceIdx) {
		panic("reference: an index is stale: a change of Jobs or Sources did not count itself")
	}
}

// jobsOf returns the source's jobs in creation order.
func (s *smcState) jobsOf(sourceID string) []*replicationJob {
	if !s.jobsIndexed() {
		var out []*replicationJob
		for _, j := range s.Jobs {
			if j.SourceId == sourceID {
				out = append(out, j)
			}
		}
		return out
	}
	at := s.jobIdx.group("SourceId", sourceID)
	out := make([]*replicationJob, len(at))
	for k, i := range at {
		out[k] = s.Jobs[i]
	}
	return out
}

// jobsIndexed reports whether jobIdx describes Jobs as they are; inside a write that changed
// the list it does not until reindex.
func (s *smcState) jobsIndexed() bool { return s.jobIdx.pos != nil && s.jobIdx.gen == s.jobsGen }

// addJob appends a new job; every change of Jobs' membership goes through here, seed or
// advance, which count it.
func (s *smcState) addJob(j *replicationJob) {
	s.Jobs = append(s.Jobs, j)
	s.jobsGen++
}

func newSMCState() *smcState { return &smcState{} }

// apiTime is the service's time format (ISO 8601 UTC, seconds).
const apiTime = "2006-01-02T15:04:05Z"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(apiTime)
}

// parseAPITime accepts the two forms the docs show: with and without seconds.
func parseAPITime(s string) (time.Time, bool) {
	for _, layout := range []string{apiTime, "2006-01-02T15:04Z"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// dump returns every object in the Describe* shape, without lifecycle bookkeeping.
func (s *smcState) dump() map[string]any {
	sources := make([]sourceView, 0, len(s.Sources))
	for _, src := range s.Sources {
		sources = append(sources, src.view())
	}
	jobs := make([]jobView, 0, len(s.Jobs))
	for _, j := range s.Jobs {
		jobs = append(jobs, j.view())
	}
	tokens := make([]tokenView, 0, len(s.Tokens))
	for _, t := range s.Tokens {
		tokens = append(tokens, t.dumpView())
	}
	groups := make([]workgroupView, 0, len(s.Workgroups))
	for _, w := range s.Workgroups {
		groups = append(groups, w.view())
	}
	return map[string]any{
		"sourceServers": sources, "replicationJobs": jobs,
		"accessTokens": tokens, "workgroups": groups,
	}
}

// seed adds or replaces objects given in the dump's shape. Kinds it does not know are left
// to the other domain; a malformed kind fails the whole seed before anything changes.
func (s *smcState) seed(kinds map[string]json.RawMessage, now time.Time) error {
	var (
		sources []sourceView
		jobs    []jobView
		tokens  []tokenView
		groups  []workgroupView
	)
	for key, dst := range map[string]any{
		"sourceServers": &sources, "replicationJobs": &jobs,
		"accessTokens": &tokens, "workgroups": &groups,
	} {
		raw, ok := kinds[key]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	if err := checkSeedIDs(sources, jobs, tokens, groups); err != nil {
		return err
	}
	if s.Now.Before(now) {
		s.Now = now
	}
	s.Sources = upsertAll(s.Sources, seeded(sources, func(v sourceView) *sourceServer { return newSeededSource(v, now) }))
	s.Jobs = upsertAll(s.Jobs, seeded(jobs, func(v jobView) *replicationJob { return newSeededJob(v, now) }))
	s.jobsGen++ // a seeded job may replace one of the same ID with other attributes
	s.sourcesGen++
	s.Tokens = upsertAll(s.Tokens, seeded(tokens, func(v tokenView) *accessToken { return newSeededToken(v, now) }))
	s.Workgroups = upsertAll(s.Workgroups, seeded(groups, func(v workgroupView) *workgroup {
		return &workgroup{workgroupView: v.filled()}
	}))
	s.linkMembers()
	s.refresh()
	return nil
}

// seeded builds the stored objects of seeded views.
func seeded[V any, T any](views []V, build func(V) T) []T {
	out := make([]T, len(views))
	for i, v := range views {
		out[i] = build(v)
	}
	return out
}

func checkSeedIDs(sources []sourceView, jobs []jobView, tokens []tokenView, groups []workgroupView) error {
	for i, v := range sources {
		if v.SourceId == "" {
			return fmt.Errorf("sourceServers[%d]: SourceId is required", i)
		}
		if v.State != "" && !contains(sourceStates, v.State) {
			return fmt.Errorf("sourceServers[%d]: unknown State %q", i, v.State)
		}
	}
	for i, v := range jobs {
		if v.JobId == "" {
			return fmt.Errorf("replicationJobs[%d]: JobId is required", i)
		}
		if v.Status != "" && !contains(jobStatuses, v.Status) {
			return fmt.Errorf("replicationJobs[%d]: unknown Status %q", i, v.Status)
		}
	}
	for i, v := range tokens {
		if v.AccessTokenId == "" {
			return fmt.Errorf("accessTokens[%d]: AccessTokenId is required", i)
		}
	}
	for i, v := range groups {
		if v.WorkgroupId == "" {
			return fmt.Errorf("workgroups[%d]: WorkgroupId is required", i)
		}
	}
	return nil
}

// lookup finds an object of a kind of the spec's x-acs-objects.
func (s *smcState) lookup(kind, id string) (Stateful, bool) {
	switch kind {
	case "ReplicationJob":
		if j := s.job(id); j != nil {
			return j, true
		}
	case "SourceServer":
		if src := s.source(id); src != nil {
			return src, true
		}
	case "Workgroup":
		if w := s.workgroup(id); w != nil {
			return w, true
		}
	case "AccessToken":
		if t := s.token(id); t != nil {
			return t, true
		}
	}
	return nil, false
}

func (s *smcState) job(id string) *replicationJob {
	if s.jobsIndexed() {
		return s.jobIdx.find(s.Jobs, id)
	}
	return find(s.Jobs, id)
}

func (s *smcState) source(id string) *sourceServer {
	if s.sourceIdx.pos != nil && s.sourceIdx.gen == s.sourcesGen {
		return s.sourceIdx.find(s.Sources, id)
	}
	return find(s.Sources, id)
}

func (s *smcState) workgroup(id string) *workgroup { return find(s.Workgroups, id) }

func (s *smcState) token(id string) *accessToken { return find(s.Tokens, id) }

// force overwrites state fields of one object (control plane). Only fields that carry state
// can be forced, and only to values the contract knows, so a typo fails loudly instead of
// leaving an object in a state no action can leave.
func (s *smcState) force(id string, fields map[string]string) (string, error) {
	var kind string
	var err error
	switch {
	case s.job(id) != nil:
		kind, err = "replicationJobs", s.job(id).force(fields, s.Now)
	case s.source(id) != nil:
		kind, err = "sourceServers", s.source(id).force(fields)
	case s.token(id) != nil:
		kind, err = "accessTokens", s.token(id).force(fields)
	case s.workgroup(id) != nil:
		kind, err = "workgroups", fmt.Errorf("workgroup status follows its sources and cannot be forced")
	default:
		return "", nil
	}
	if err != nil {
		return kind, err
	}
	s.refresh()
	return kind, nil
}

// refresh recomputes the states that follow from other objects: a source is InUse while
// one of its jobs runs (the contract's choice), a workgroup's status follows its sources' jobs.
func (s *smcState) refresh() {
	running := map[string]bool{} // one pass over jobs, not one per source
	for _, j := range s.Jobs {
		if j.Status == "Running" {
			running[j.SourceId] = true
		}
	}
	for _, src := range s.Sources {
		src.refresh(running[src.SourceId])
	}
	if len(s.Workgroups) == 0 {
		return
	}
	look := s.memberIndex()
	for _, w := range s.Workgroups {
		w.refresh(look)
	}
}

// unfinishedJob returns the job that blocks a new one on the source, if any.
func (s *smcState) unfinishedJob(sourceID string) *replicationJob {
	if sourceID == "" {
		return nil
	}
	for _, j := range s.jobsOf(sourceID) {
		if contains(blockingStatuses, j.Status) {
			return j
		}
	}
	return nil
}

// linkMembers makes workgroup membership agree both ways after a seed: a source naming a
// group is one of its members, and a member names its group.
// It indexes sources once, so that it is linear in sources and members.
func (s *smcState) linkMembers() {
	sources := byKey(s.Sources)
	named := map[string][]string{} // workgroup -> the sources naming it, in order
	for _, src := range s.Sources {
		if src.WorkgroupId != "" {
			named[src.WorkgroupId] = append(named[src.WorkgroupId], src.SourceId)
		}
	}
	for _, w := range s.Workgroups {
		members := make(map[string]bool, len(w.SourceIds))
		for _, id := range w.SourceIds {
			members[id] = true
		}
		for _, id := range named[w.WorkgroupId] {
			// An earlier group may have claimed the source as its member since.
			if !members[id] && sources[id].WorkgroupId == w.WorkgroupId {
				members[id] = true
				w.SourceIds = append(w.SourceIds, id)
			}
		}
		w.SourceIds = without(w.SourceIds, func(id string) bool { return sources[id] == nil })
		for _, id := range w.SourceIds {
			sources[id].WorkgroupId = w.WorkgroupId
		}
	}
}
