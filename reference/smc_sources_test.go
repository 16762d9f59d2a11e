package reference

import (
	"strings"
	"testing"
	"time"
)

func TestDeleteSourceServerRules(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, srv *Server) string
		force bool
		code  string
		why   string
	}{
		{"no jobs", func(*testing.T, *Server) string { return "" }, false, "", "a free source goes"},
		{"running job", func(t *testing.T, srv *Server) string {
			id := createJob(t, srv, linuxSrc, nil)
			must(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": id})
			return id
		}, true, "SourceServer.WithRunningReplicationJob", "even Force does not delete a running job"},
		{"related job", func(t *testing.T, srv *Server) string { return createJob(t, srv, linuxSrc, nil) },
			false, "ReplicationJob.Related", "a related job needs Force"},
		{"related job forced", func(t *testing.T, srv *Server) string { return createJob(t, srv, linuxSrc, nil) },
			true, "", "Force deletes the jobs too"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSMCServer(t)
			job := tc.setup(t, srv)
			params := p{"SourceId": linuxSrc}
			if tc.force {
				params["Force"] = "true"
			}
			_, err := call(t, srv, defaultAcct, "DeleteSourceServer", params)
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("%s: %v", tc.why, err)
			case tc.code != "" && (err == nil || err.Code != tc.code):
				t.Fatalf("%s: got %v, want %s", tc.why, err, tc.code)
			case tc.code == "ReplicationJob.Related" && !strings.Contains(err.Message, job):
				t.Errorf("the message names the job: %s", err.Message)
			case tc.code == "":
				if got := sourceOf(t, srv, defaultAcct, linuxSrc)["State"]; got != "Deleting" {
					t.Errorf("a deleted source shows Deleting first, got %v", got)
				}
				fails(t, srv, defaultAcct, "ModifySourceServerAttribute", p{"SourceId": linuxSrc, "Name": "x1"}, "SourceServerState.Invalid")
				advance(srv, deletingDuration)
				fails(t, srv, defaultAcct, "DeleteSourceServer", p{"SourceId": linuxSrc}, "InvalidSourceId.NotFound")
				if job != "" {
					fails(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": job}, "InvalidJobId.NotFound")
				}
			}
		})
	}
}

func TestModifySourceServerAttribute(t *testing.T) {
	srv := newSMCServer(t)
	fails(t, srv, defaultAcct, "ModifySourceServerAttribute", p{"SourceId": linuxSrc, "Name": "web-02"}, "SourceServerName.Duplicate")
	must(t, srv, defaultAcct, "ModifySourceServerAttribute", p{"SourceId": linuxSrc, "Name": "web-01", "Description": "kept name"})
	must(t, srv, defaultAcct, "ModifySourceServerAttribute", p{"SourceId": offlineSrc, "Name": "offline-renamed"})
	if got := sourceOf(t, srv, defaultAcct, offlineSrc)["Name"]; got != "offline-renamed" {
		t.Errorf("an Unavailable source can be renamed: %v", got)
	}
	if got := sourceOf(t, srv, defaultAcct, linuxSrc)["Description"]; got != "kept name" {
		t.Errorf("description: %v", got)
	}
}

func TestDescribeSourceServersFilters(t *testing.T) {
	srv := newSMCServer(t)
	job := createJob(t, srv, linuxSrc, nil)
	must(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": job})
	must(t, srv, defaultAcct, "TagResources", p{"ResourceType": "sourceserver", "ResourceId.1": linuxSrc2, "Tag.1.Key": "tier", "Tag.1.Value": "app"})
	cases := []struct {
		filter p
		want   int
		first  string
		why    string
	}{
		{p{}, 6, linuxSrc, "every fixture source, in creation order"},
		{p{"State": "InUse"}, 1, linuxSrc, "a running job makes its source InUse"},
		{p{"State": "Unavailable"}, 2, offlineSrc, "agent states from the fixtures"},
		{p{"JobId": job}, 1, linuxSrc, "by last job"},
		{p{"Name": "web-02"}, 1, linuxSrc2, "by exact name"},
		{p{"Tag.1.Key": "tier"}, 1, linuxSrc2, "by tag key"},
		{p{"RelatedJobType.1": "Server"}, 1, linuxSrc, "sources with a server migration job"},
		{p{"RelatedJobType.1": "Not_Related"}, 5, linuxSrc2, "sources without a job"},
		{p{"RelatedJobType.1": "Desktop"}, 0, "", "a value no job kind has is accepted and matches nothing (smc choice: RelatedJobType.N values)"},
		{p{"State": "Available", "Name": "web-01"}, 0, "", "ANDed: web-01 is InUse"},
		{p{"PageSize": "2", "PageNumber": "3"}, 2, offlineSrc, "third page of two"},
	}
	for _, tc := range cases {
		body := must(t, srv, defaultAcct, "DescribeSourceServers", tc.filter)
		list := wrapped(body, "SourceServers", "SourceServer")
		if len(list) != tc.want || (tc.want > 0 && list[0]["SourceId"] != tc.first) {
			t.Errorf("%s: got %d starting %v, want %d starting %s", tc.why, len(list), first(list), tc.want, tc.first)
		}
	}
}

func first(list []map[string]any) any {
	if len(list) == 0 {
		return nil
	}
	return list[0]["SourceId"]
}

func TestAccountsAreIsolated(t *testing.T) {
	srv := newSMCServer(t)
	job := createJob(t, srv, linuxSrc, nil)
	cases := []struct {
		action string
		params p
		code   string
	}{
		{"StartReplicationJob", p{"JobId": job}, "InvalidJobId.NotFound"},
		{"DeleteReplicationJob", p{"JobId": job}, "InvalidJobId.NotFound"},
		{"ModifySourceServerAttribute", p{"SourceId": linuxSrc, "Name": "mine"}, "InvalidSourceId.NotFound"},
		{"DeleteSourceServer", p{"SourceId": linuxSrc}, "InvalidSourceId.NotFound"},
		{"TagResources", p{"ResourceType": "replicationjob", "ResourceId.1": job, "Tag.1.Key": "k"}, "InvalidResourceId.NotFound"},
	}
	for _, tc := range cases {
		fails(t, srv, otherAcct, tc.action, tc.params, tc.code)
	}
	if body := must(t, srv, otherAcct, "DescribeReplicationJobs", nil); body["TotalCount"].(float64) != 0 {
		t.Errorf("the other account sees no jobs")
	}
	body := must(t, srv, otherAcct, "DescribeSourceServers", nil)
	if list := wrapped(body, "SourceServers", "SourceServer"); len(list) != 1 || list[0]["SourceId"] != otherSrc {
		t.Errorf("the other account sees only its own source: %v", list)
	}
	if got := jobOf(t, srv, defaultAcct, job)["Status"]; got != "Ready" {
		t.Errorf("the owner's job is untouched: %v", got)
	}
	advance(srv, time.Minute)
}
