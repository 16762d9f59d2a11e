package reference

import (
	"fmt"
	"math"
	"time"
)

var (
	jobStatuses = []string{"Ready", "Running", "Stopped", "InError", "Finished", "Waiting", "Expired", "Deleting"}
	// blockingStatuses are the unfinished statuses: a job in one of them stops a second job
	// from being created for the same source.
	blockingStatuses = []string{"Ready", "Running", "Stopped", "Waiting", "InError", "Expired"}
)

// jobPart is a partition as a job is configured to copy it.
type jobPart struct {
	Device    string `json:"Device"`
	SizeBytes int64  `json:"SizeBytes"`
	Block     bool   `json:"Block"`
}

type jobDataDisk struct {
	Index int `json:"Index"`
	Size  int `json:"Size"`
	Parts struct {
		Part []jobPart `json:"Part"`
	} `json:"Parts"`
}

type jobRun struct {
	ImageId   string `json:"ImageId"`
	Type      string `json:"Type"`
	StartTime string `json:"StartTime"`
	EndTime   string `json:"EndTime"`
}

// jobView is a replication job as DescribeReplicationJobs returns it.
type jobView struct {
	JobId                  string  `json:"JobId"`
	SourceId               string  `json:"SourceId"`
	Name                   string  `json:"Name"`
	Description            string  `json:"Description"`
	RegionId               string  `json:"RegionId"`
	JobType                int     `json:"JobType"`
	TargetType             string  `json:"TargetType"`
	Status                 string  `json:"Status"`
	BusinessStatus         string  `json:"BusinessStatus"`
	ErrorCode              string  `json:"ErrorCode"`
	StatusInfo             string  `json:"StatusInfo"`
	Progress               float64 `json:"Progress"`
	CreationTime           string  `json:"CreationTime"`
	StartTime              string  `json:"StartTime"`
	EndTime                string  `json:"EndTime"`
	ScheduledStartTime     string  `json:"ScheduledStartTime"`
	ValidTime              string  `json:"ValidTime"`
	ImageName              string  `json:"ImageName"`
	ImageId                string  `json:"ImageId"`
	InstanceId             string  `json:"InstanceId"`
	TransitionInstanceId   string  `json:"TransitionInstanceId"`
	InstanceType           string  `json:"InstanceType"`
	InstanceRamRole        string  `json:"InstanceRamRole"`
	LaunchTemplateId       string  `json:"LaunchTemplateId"`
	LaunchTemplateVersion  string  `json:"LaunchTemplateVersion"`
	SystemDiskSize         int     `json:"SystemDiskSize"`
	NetMode                int     `json:"NetMode"`
	VpcId                  string  `json:"VpcId"`
	VSwitchId              string  `json:"VSwitchId"`
	ReplicationParameters  string  `json:"ReplicationParameters"`
	RunOnce                bool    `json:"RunOnce"`
	Frequency              int     `json:"Frequency"`
	MaxNumberOfImageToKeep int     `json:"MaxNumberOfImageToKeep"`
	ContainerNamespace     string  `json:"ContainerNamespace"`
	ContainerRepository    string  `json:"ContainerRepository"`
	ContainerTag           string  `json:"ContainerTag"`
	LicenseType            string  `json:"LicenseType"`
	ResourceGroupId        string  `json:"ResourceGroupId"`
	WorkgroupId            string  `json:"WorkgroupId"`
	SystemDiskParts        struct {
		SystemDiskPart []jobPart `json:"SystemDiskPart"`
	} `json:"SystemDiskParts"`
	DataDisks struct {
		DataDisk []jobDataDisk `json:"DataDisk"`
	} `json:"DataDisks"`
	ReplicationJobRuns struct {
		ReplicationJobRun []jobRun `json:"ReplicationJobRun"`
	} `json:"ReplicationJobRuns"`
	Tags smcTags `json:"Tags"`
}

func (v jobView) filled() jobView {
	if v.SystemDiskParts.SystemDiskPart == nil {
		v.SystemDiskParts.SystemDiskPart = []jobPart{}
	}
	disks := make([]jobDataDisk, 0, len(v.DataDisks.DataDisk))
	for _, d := range v.DataDisks.DataDisk {
		d.Parts.Part = append([]jobPart{}, d.Parts.Part...)
		disks = append(disks, d)
	}
	v.DataDisks.DataDisk = disks
	v.ReplicationJobRuns.ReplicationJobRun = append([]jobRun{}, v.ReplicationJobRuns.ReplicationJobRun...)
	v.Tags = v.Tags.clone()
	return v
}

// jobRuntime is the lifecycle bookkeeping the API does not show.
type jobRuntime struct {
	Started     bool      `json:"started"`               // has run at least once
	Runs        int       `json:"runs"`                  // runs started so far; numbers image IDs
	RunStart    time.Time `json:"runStart,omitzero"`     // origin of the current run's phase clock (Running only)
	RunBegan    time.Time `json:"runBegan,omitzero"`     // when the current run was asked for; after RunStart when a cut-over skips phases
	RunType     string    `json:"runType,omitempty"`     // Manual or Schedule, for the run record
	FinalRun    bool      `json:"finalRun,omitempty"`    // cut over: finish after this run
	CleanupOnly bool      `json:"cleanupOnly,omitempty"` // cut over without SyncData: no image
	NextRun     time.Time `json:"nextRun,omitzero"`      // Waiting: when the next run starts
	ValidUntil  time.Time `json:"validUntil,omitzero"`   // the job expires then (zero: never)
	RemoveAt    time.Time `json:"removeAt,omitzero"`     // Expired or Deleting: when it disappears
}

// replicationJob is a job with its lifecycle bookkeeping.
type replicationJob struct {
	jobView
	RT jobRuntime `json:"runtime"`
}

func (j *replicationJob) view() jobView { return j.jobView.filled() }

// State reads a state field for the contract's preconditions.
func (j *replicationJob) State(field string) string {
	switch field {
	case "Status":
		return j.Status
	case "BusinessStatus":
		return j.BusinessStatus
	}
	return ""
}

// newSeededJob rebuilds the bookkeeping a seeded job needs from its visible fields: a
// Running job resumes at the start of its BusinessStatus phase, a Waiting one runs at its
// ScheduledStartTime (first run) or one Frequency from now.
func newSeededJob(v jobView, now time.Time) *replicationJob {
	j := &replicationJob{jobView: v.filled()}
	if j.Status == "" {
		j.Status = "Ready"
	}
	if t, ok := parseAPITime(j.ValidTime); ok {
		j.RT.ValidUntil = t
	}
	runs := len(j.ReplicationJobRuns.ReplicationJobRun)
	j.RT.Runs, j.RT.Started = runs, runs > 0 || j.Status != "Ready" && j.Status != "Waiting"
	switch j.Status {
	case "Running":
		j.RT.Started, j.RT.RunType = true, "Manual"
		j.RT.RunStart = now.Add(-phaseOffset(j.BusinessStatus))
	case "Waiting":
		if t, ok := parseAPITime(j.ScheduledStartTime); ok && runs == 0 && t.After(now) {
			j.RT.NextRun = t
		} else {
			j.RT.NextRun = now.Add(time.Duration(max(j.Frequency, 1)) * time.Hour)
		}
	case "Expired":
		j.RT.RemoveAt = now.Add(expiredRetention)
	case "Deleting":
		j.RT.RemoveAt = now.Add(deletingDuration)
	}
	return j
}

// force sets state fields (control plane). Forcing InError or Stopped ends the current run;
// forcing Running starts a manual run now; other statuses are taken as they are.
func (j *replicationJob) force(fields map[string]string, now time.Time) error {
	if st, ok := fields["Status"]; ok && !contains(jobStatuses, st) {
		return fmt.Errorf("unknown job Status %q", st)
	}
	for _, k := range sortedKeys(fields) {
		v := fields[k]
		switch k {
		case "Status":
			j.forceStatus(v, now)
		case "ErrorCode":
			j.ErrorCode = v
		case "StatusInfo":
			j.StatusInfo = v
		case "BusinessStatus":
			if j.Status != "Running" || phaseOffset(v) < 0 {
				return fmt.Errorf("BusinessStatus %q can only be forced on a Running job to one of its phases", v)
			}
			j.RT.RunStart = now.Add(-phaseOffset(v))
			j.BusinessStatus = v
		default:
			return fmt.Errorf("job field %q cannot be forced", k)
		}
	}
	return nil
}

func (j *replicationJob) forceStatus(st string, now time.Time) {
	switch st {
	case "Running":
		j.startRun(now, "Manual")
		return
	case "InError":
		if j.ErrorCode == "" {
			j.ErrorCode = "SMC.ReplicationJob.Failed"
		}
	case "Waiting":
		j.RT.NextRun = now.Add(time.Duration(max(j.Frequency, 1)) * time.Hour)
	case "Expired":
		j.RT.RemoveAt = now.Add(expiredRetention)
	case "Deleting":
		j.RT.RemoveAt = now.Add(deletingDuration)
	}
	j.Status, j.BusinessStatus, j.RT.RunStart, j.RT.RunBegan = st, "", time.Time{}, time.Time{}
}

// roundProgress keeps two decimals, like the service's float progress.
func roundProgress(p float64) float64 { return math.Round(p*100) / 100 }
