package reference

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/smcct/smcct/spec"
)

// TestLifecycleTimingsAreTheContracts proves, timer by timer, that the reference moves its
// objects when the contract's lifecycles say: each object is brought into the timer's from
// state through the public API and the clock, stays there until one second before the
// contract's delay, and has moved on (or is gone) at the delay. A timer the contract gains
// without a staging here fails the test, so the proof stays complete.
func TestLifecycleTimingsAreTheContracts(t *testing.T) {
	stagers := timerStagers()
	seen := map[string]bool{}
	for _, p := range spec.MustDefault().Products() {
		for _, kind := range p.Kinds() {
			l := p.Objects[kind].Lifecycle
			if l == nil {
				continue
			}
			for i := range l.Timers {
				tm := &l.Timers[i]
				name := timerName(kind, tm)
				seen[name] = true
				stage, ok := stagers[name]
				if !ok {
					t.Errorf("no staging for the contract's timer %q: add one to timerStagers", name)
					continue
				}
				t.Run(name, func(t *testing.T) { checkTimer(t, tm, stage) })
			}
		}
	}
	for name := range stagers {
		if !seen[name] {
			t.Errorf("staging for %q, which the contract no longer has", name)
		}
	}
}

// A staged object: how to read its state (ok false once it is gone), the numbers its
// timer's delay reads, and how to move the clock.
type staged struct {
	read    func() (map[string]string, bool)
	vals    spec.Values
	advance func(time.Duration)
}

type stager func(t *testing.T) staged

func checkTimer(t *testing.T, tm *spec.Timer, stage stager) {
	s := stage(t)
	d := tm.After.Eval(s.vals)
	if d < 2*time.Second {
		t.Fatalf("delay %v is too short to watch", d)
	}
	before, ok := s.read()
	if !ok || !tm.From.Match(before) {
		t.Fatalf("staging left the object in %v (present %v), want %v", before, ok, tm.From)
	}
	s.advance(d - time.Second)
	if now, ok := s.read(); !ok || !tm.From.Match(now) {
		t.Fatalf("one second before %v: %v (present %v), want still %v", d, now, ok, tm.From)
	}
	s.advance(time.Second)
	now, ok := s.read()
	switch {
	case tm.Deletes && ok:
		t.Fatalf("at %v: still there in %v, want gone", d, now)
	case !tm.Deletes && (!ok || !statesInclude(now, tm.Next(before))):
		t.Fatalf("at %v: %v (present %v), want %v", d, now, ok, tm.Next(before))
	}
}

func statesInclude(state, want map[string]string) bool {
	for k, v := range want {
		if state[k] != v {
			return false
		}
	}
	return true
}

func timerName(kind string, tm *spec.Timer) string {
	var from []string
	for f, vals := range tm.From {
		from = append(from, f+"="+strings.Join(vals, "|"))
	}
	sort.Strings(from)
	to := "gone"
	if !tm.Deletes {
		to = stateText(tm.To)
	}
	name := fmt.Sprintf("%s %s to %s", kind, strings.Join(from, ","), to)
	if c := tm.When; c != nil {
		name += fmt.Sprintf(" when %s%s=%s", c.Field, c.Flag, strings.Join(c.In, "|"))
	}
	return name
}

func stateText(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func fixed(v float64) spec.Values {
	return func(string, string) (float64, bool) { return v, true }
}

// smcStaged reads a job (or source, or token) through the public API.
func smcJob(t *testing.T, srv *Server, id string) staged {
	return staged{
		read: func() (map[string]string, bool) {
			body := must(t, srv, defaultAcct, "DescribeReplicationJobs", p{"JobId.1": id})
			list := wrapped(body, "ReplicationJobs", "ReplicationJob")
			if len(list) == 0 {
				return nil, false
			}
			st := map[string]string{"Status": fmt.Sprint(list[0]["Status"])}
			if bs, ok := list[0]["BusinessStatus"].(string); ok && bs != "" {
				st["BusinessStatus"] = bs
			}
			return st, true
		},
		advance: func(d time.Duration) { advance(srv, d) },
	}
}

func incremental() p {
	return p{"RunOnce": "false", "Frequency": "12", "MaxNumberOfImageToKeep": "2"}
}

func jobAt(elapsed time.Duration, extra p) stager {
	return func(t *testing.T) staged {
		srv := newSMCServer(t)
		id := createJob(t, srv, linuxSrc, extra)
		must(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": id})
		advance(srv, elapsed)
		return smcJob(t, srv, id)
	}
}

func inFuture(srv *Server, d time.Duration) string {
	return srv.Clock().Now().Add(d).UTC().Format("2006-01-02T15:04:05Z")
}

func smcStagers() map[string]stager {
	run := runDuration()
	return map[string]stager{
		"ReplicationJob Status=Ready|Running|Stopped|Waiting|InError to Status=Expired": func(t *testing.T) staged {
			srv := newSMCServer(t)
			id := createJob(t, srv, linuxSrc, p{"ValidTime": inFuture(srv, 8*24*time.Hour)})
			s := smcJob(t, srv, id)
			s.vals = fixed((8 * 24 * time.Hour).Seconds())
			return s
		},
		"ReplicationJob BusinessStatus=Preparing,Status=Running to BusinessStatus=Syncing":                           jobAt(0, nil),
		"ReplicationJob BusinessStatus=Syncing,Status=Running to BusinessStatus=Processing":                          jobAt(phaseOffset("Syncing"), nil),
		"ReplicationJob BusinessStatus=Processing,Status=Running to BusinessStatus=Cleaning":                         jobAt(phaseOffset("Processing"), nil),
		"ReplicationJob BusinessStatus=Cleaning,Status=Running to BusinessStatus=,Status=Finished when RunOnce=true": jobAt(phaseOffset("Cleaning"), nil),
		"ReplicationJob BusinessStatus=Cleaning,Status=Running to BusinessStatus=,Status=Waiting":                    jobAt(phaseOffset("Cleaning"), incremental()),
		"ReplicationJob Status=Waiting to BusinessStatus=Preparing,Status=Running when scheduled=true": func(t *testing.T) staged {
			srv := newSMCServer(t)
			id := createJob(t, srv, linuxSrc, p{"ScheduledStartTime": inFuture(srv, 2*time.Hour)})
			s := smcJob(t, srv, id)
			s.vals = fixed((2 * time.Hour).Seconds())
			return s
		},
		"ReplicationJob Status=Waiting to BusinessStatus=Preparing,Status=Running when scheduled=false": func(t *testing.T) staged {
			s := jobAt(run, incremental())(t)
			s.vals = fixed(12)
			return s
		},
		"ReplicationJob Status=Expired to gone": func(t *testing.T) staged {
			srv := newSMCServer(t)
			id := createJob(t, srv, linuxSrc, p{"ValidTime": inFuture(srv, 7*24*time.Hour+time.Hour)})
			advance(srv, 7*24*time.Hour+time.Hour)
			return smcJob(t, srv, id)
		},
		"ReplicationJob Status=Deleting to gone": func(t *testing.T) staged {
			srv := newSMCServer(t)
			id := createJob(t, srv, linuxSrc, nil)
			must(t, srv, defaultAcct, "DeleteReplicationJob", p{"JobId": id})
			return smcJob(t, srv, id)
		},
		"SourceServer State=Deleting to gone": func(t *testing.T) staged {
			srv := newSMCServer(t)
			must(t, srv, defaultAcct, "DeleteSourceServer", p{"SourceId": linuxSrc})
			return staged{
				read: func() (map[string]string, bool) {
					body := must(t, srv, defaultAcct, "DescribeSourceServers", p{"SourceId.1": linuxSrc})
					list := wrapped(body, "SourceServers", "SourceServer")
					if len(list) == 0 {
						return nil, false
					}
					return map[string]string{"State": fmt.Sprint(list[0]["State"])}, true
				},
				advance: func(d time.Duration) { advance(srv, d) },
			}
		},
		"AccessToken Status=unactivated|activated to Status=expired": func(t *testing.T) staged {
			srv := newSMCServer(t)
			id := fmt.Sprint(must(t, srv, defaultAcct, "CreateAccessToken", p{"Name": "timer", "TimeToLiveInDays": "2"})["AccessTokenId"])
			return staged{
				read: func() (map[string]string, bool) {
					list := wrapped(must(t, srv, defaultAcct, "ListAccessTokens", p{"AccessTokenId": id}), "AccessTokens", "AccessToken")
					if len(list) == 0 {
						return nil, false
					}
					return map[string]string{"Status": fmt.Sprint(list[0]["Status"])}, true
				},
				vals:    fixed(2),
				advance: func(d time.Duration) { advance(srv, d) },
			}
		},
	}
}

// ebsStaged reads a group, pair or drill's Status through its Describe action.
func ebsStaged(e *ebsT, read func() map[string]any, size float64) staged {
	return staged{
		read: func() (map[string]string, bool) {
			obj := read()
			if obj == nil {
				return nil, false
			}
			return map[string]string{"Status": fmt.Sprint(obj["Status"])}, true
		},
		vals:    fixed(size),
		advance: func(d time.Duration) { e.srv.Clock().Advance(d) },
	}
}

// groupIn stages a group with one 200 GiB member (the largest disk decides its full sync).
type groupStep func(e *ebsT, g string)

func groupIn(steps ...groupStep) stager {
	return func(t *testing.T) staged {
		e := newEBS(t)
		g := e.newGroup(nil)
		pr := e.newPair(hzDisk2, "cn-hangzhou-h", shDisk2, "cn-shanghai-e")
		e.must("AddDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaGroupId": g, "ReplicaPairId": pr})
		for _, s := range steps {
			s(e, g)
		}
		return ebsStaged(e, func() map[string]any { return e.group(g, hz) }, 200)
	}
}

func groupCall(action, region string, extra ...string) groupStep {
	return func(e *ebsT, g string) {
		r := ebsReq{"RegionId": region, "ReplicaGroupId": g}
		for i := 0; i+1 < len(extra); i += 2 {
			r[extra[i]] = extra[i+1]
		}
		e.must(action, r)
	}
}

func wait(secs int64) groupStep { return func(e *ebsT, _ string) { e.advance(secs) } }

// pairIn stages a 200 GiB pair.
type pairStep func(e *ebsT, pr string)

func pairIn(steps ...pairStep) stager {
	return func(t *testing.T) staged {
		e := newEBS(t)
		pr := e.newPair(hzDisk2, "cn-hangzhou-h", shDisk2, "cn-shanghai-e")
		for _, s := range steps {
			s(e, pr)
		}
		return ebsStaged(e, func() map[string]any { return e.pair(pr, hz) }, 200)
	}
}

func pairCall(action, region string, extra ...string) pairStep {
	return func(e *ebsT, pr string) {
		r := ebsReq{"RegionId": region, "ReplicaPairId": pr}
		for i := 0; i+1 < len(extra); i += 2 {
			r[extra[i]] = extra[i+1]
		}
		e.must(action, r)
	}
}

func pairWait(secs int64) pairStep { return func(e *ebsT, _ string) { e.advance(secs) } }

func drillIn(clear bool) stager {
	return func(t *testing.T) staged {
		e := newEBS(t)
		g, _ := e.groupWithPair()
		e.must("StartDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
		e.advance(fullSyncSeconds(100) + ebsCatchUpSeconds)
		id := e.must("StartReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g})["DrillId"].(string)
		if clear {
			e.advance(ebsDrillRunSeconds)
			e.must("ClearReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g, "DrillId": id})
		}
		return ebsStaged(e, func() map[string]any {
			for _, d := range items(e.must("DescribeReplicaGroupDrills", ebsReq{"RegionId": sh, "GroupId": g}), "Drills") {
				if d["DrillId"] == id {
					return d
				}
			}
			return nil
		}, 0)
	}
}

func pairDrillIn(clear bool) stager {
	return func(t *testing.T) staged {
		e := newEBS(t)
		pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
		e.must("StartDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
		e.advance(fullSyncSeconds(100) + ebsCatchUpSeconds)
		id := e.must("StartPairDrill", ebsReq{"RegionId": sh, "PairId": pr})["DrillId"].(string)
		if clear {
			e.advance(ebsDrillRunSeconds)
			e.must("ClearPairDrill", ebsReq{"RegionId": sh, "PairId": pr, "DrillId": id})
		}
		return ebsStaged(e, func() map[string]any {
			for _, d := range items(e.must("DescribePairDrills", ebsReq{"RegionId": sh, "PairId": pr}), "Drills") {
				if d["DrillId"] == id {
					return d
				}
			}
			return nil
		}, 0)
	}
}

func ebsStagers() map[string]stager {
	full := fullSyncSeconds(200)
	normalGroup := []groupStep{groupCall("StartDiskReplicaGroup", hz), wait(full + ebsCatchUpSeconds)}
	stoppedGroup := append(append([]groupStep(nil), normalGroup...), groupCall("StopDiskReplicaGroup", hz), wait(ebsStopSeconds))
	failoveredGroup := append(append([]groupStep(nil), stoppedGroup...), groupCall("FailoverDiskReplicaGroup", sh), wait(ebsFailoverSeconds))
	stoppedPair := []pairStep{pairCall("StartDiskReplicaPair", hz), pairWait(full + ebsCatchUpSeconds), pairCall("StopDiskReplicaPair", hz), pairWait(ebsStopSeconds)}
	return map[string]stager{
		"ReplicaGroup Status=creating to Status=created": func(t *testing.T) staged {
			e := newEBS(t)
			g := e.must("CreateDiskReplicaGroup", ebsReq{"RegionId": hz, "SourceZoneId": "cn-hangzhou-h",
				"DestinationRegionId": sh, "DestinationZoneId": "cn-shanghai-e"})["ReplicaGroupId"].(string)
			return ebsStaged(e, func() map[string]any { return e.group(g, hz) }, 0)
		},
		"ReplicaGroup Status=syncing to Status=normal":                          groupIn(normalGroup[0]),
		"ReplicaGroup Status=syncing to Status=normal when synced=true":         groupIn(append(stoppedGroup, groupCall("StartDiskReplicaGroup", hz))...),
		"ReplicaGroup Status=manual_syncing to Status=stopped when synced=true": groupIn(append(stoppedGroup, groupCall("StartDiskReplicaGroup", hz, "OneShot", "true"))...),
		"ReplicaGroup Status=manual_syncing to Status=stopped":                  groupIn(groupCall("StartDiskReplicaGroup", hz, "OneShot", "true")),
		"ReplicaGroup Status=stopping to Status=stopped":                        groupIn(append(normalGroup, groupCall("StopDiskReplicaGroup", hz))...),
		"ReplicaGroup Status=failovering to Status=failovered":                  groupIn(append(stoppedGroup, groupCall("FailoverDiskReplicaGroup", sh))...),
		"ReplicaGroup Status=reprotecting to Status=stopped":                    groupIn(append(failoveredGroup, groupCall("ReprotectDiskReplicaGroup", sh))...),
		"ReplicaGroup Status=deleting to gone": func(t *testing.T) staged {
			e := newEBS(t)
			g := e.newGroup(nil)
			e.must("DeleteDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
			return ebsStaged(e, func() map[string]any { return e.group(g, hz) }, 0)
		},
		"ReplicaPair Status=initial_syncing to Status=syncing":                 pairIn(pairCall("StartDiskReplicaPair", hz)),
		"ReplicaPair Status=syncing to Status=normal":                          pairIn(pairCall("StartDiskReplicaPair", hz), pairWait(full)),
		"ReplicaPair Status=manual_syncing to Status=stopped when synced=true": pairIn(append(stoppedPair, pairCall("StartDiskReplicaPair", hz, "OneShot", "true"))...),
		"ReplicaPair Status=manual_syncing to Status=stopped":                  pairIn(pairCall("StartDiskReplicaPair", hz, "OneShot", "true")),
		"ReplicaPair Status=stopping to Status=stopped":                        pairIn(pairCall("StartDiskReplicaPair", hz), pairCall("StopDiskReplicaPair", hz)),
		"ReplicaPair Status=failovering to Status=failovered":                  pairIn(append(stoppedPair, pairCall("FailoverDiskReplicaPair", sh))...),
		"ReplicaPair Status=reprotecting to Status=stopped": pairIn(append(stoppedPair, pairCall("FailoverDiskReplicaPair", sh),
			pairWait(ebsFailoverSeconds), pairCall("ReprotectDiskReplicaPair", sh))...),
		"ReplicaPair Status=deleting to gone":           pairIn(append(stoppedPair, pairCall("DeleteDiskReplicaPair", hz))...),
		"Drill Status=executing to Status=executed":     drillIn(false),
		"Drill Status=clearing to gone":                 drillIn(true),
		"PairDrill Status=executing to Status=executed": pairDrillIn(false),
		"PairDrill Status=clearing to gone":             pairDrillIn(true),
	}
}

func timerStagers() map[string]stager {
	out := smcStagers()
	for k, v := range ebsStagers() {
		out[k] = v
	}
	return out
}

// TestRecoveryPointsFollowTheContractsPeriod: a replicating pair takes a new recovery point
// every period the contract's periodic event gives.
func TestRecoveryPointsFollowTheContractsPeriod(t *testing.T) {
	per := periodicOf("ebs", "ReplicaPair")
	e := newEBS(t)
	pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
	e.must("StartDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
	e.advance(fullSyncSeconds(100) + ebsCatchUpSeconds)
	first := num64(e.pair(pr, hz)[per.Moves])
	period := int64(per.Every.Eval(nil) / time.Second)
	e.advance(period)
	if got := num64(e.pair(pr, hz)[per.Moves]); got != first+period {
		t.Fatalf("%s after one period: %d, want %d", per.Moves, got, first+period)
	}
}
