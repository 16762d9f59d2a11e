package reference

import (
	"fmt"
	"testing"

	"github.com/smcct/smcct/rpc"
)

func TestTagResourcesLimitsAndCodes(t *testing.T) {
	srv := newSMCServer(t)
	job := createJob(t, srv, linuxSrc, nil)
	twenty := p{"ResourceType": "replicationjob", "ResourceId.1": job}
	for i := 1; i <= 20; i++ {
		twenty[fmt.Sprintf("Tag.%d.Key", i)] = fmt.Sprintf("k%02d", i)
	}
	cases := []struct {
		action string
		params p
		code   string
		why    string
	}{
		{"TagResources", twenty, "", "twenty tags fit"},
		{"TagResources", p{"ResourceType": "replicationjob", "ResourceId.1": job, "Tag.1.Key": "k01", "Tag.1.Value": "new"}, "", "an existing key is overwritten, still twenty"},
		{"TagResources", p{"ResourceType": "replicationjob", "ResourceId.1": job, "Tag.1.Key": "k21"}, "NumberExceed.Tags", "a 21st key"},
		{"TagResources", p{"ResourceType": "sourceserver", "ResourceId.1": job, "Tag.1.Key": "a"}, "InvalidResourceId.NotFound", "a job ID is no source"},
		{"TagResources", p{"ResourceType": "sourceserver", "ResourceId.1": linuxSrc, "ResourceId.2": "s-missing00000000001", "Tag.1.Key": "a"}, "InvalidResourceId.NotFound", "one unknown ID fails the call"},
		{"UntagResources", p{"ResourceType": "replicationjob", "ResourceId.1": job, "TagKey.1": "k02", "TagKey.2": "nokey"}, "", "removing a missing key is fine"},
		{"UntagResources", p{"ResourceType": "replicationjob", "ResourceId.1": "j-missing00000000001", "All": "true"}, "InvalidResourceId.NotFound", "unknown job"},
	}
	for _, tc := range cases {
		_, err := call(t, srv, defaultAcct, tc.action, tc.params)
		switch {
		case tc.code == "" && err != nil:
			t.Fatalf("%s: %v", tc.why, err)
		case tc.code != "" && (err == nil || err.Code != tc.code):
			t.Fatalf("%s: got %v, want %s", tc.why, err, tc.code)
		}
	}
	tags := wrapped(jobOf(t, srv, defaultAcct, job), "Tags", "Tag")
	if len(tags) != 19 || tags[0]["Key"] != "k01" || tags[0]["Value"] != "new" {
		t.Fatalf("after the calls: 19 tags with k01=new first, got %d %v", len(tags), tags[0])
	}
	if fmt.Sprint(srv.store.accounts[defaultAcct].SMC.source(linuxSrc).Tags.Tag) != "[]" {
		t.Errorf("a failed call changes nothing")
	}
	must(t, srv, defaultAcct, "UntagResources", p{"ResourceType": "replicationjob", "ResourceId.1": job, "All": "true"})
	if tags := wrapped(jobOf(t, srv, defaultAcct, job), "Tags", "Tag"); len(tags) != 0 {
		t.Errorf("All removes every tag: %v", tags)
	}
}

func TestTagResourcesRejectsRepeatedIDs(t *testing.T) {
	srv := newSMCServer(t)
	a := smcAction(t, srv, "TagResources")
	in := map[string]any{"ResourceType": "sourceserver", "ResourceId": []any{linuxSrc, linuxSrc},
		"Tag": []any{map[string]any{"Key": "a"}}}
	_, err := srv.invoke(defaultAcct, a, in)
	if e, ok := rpc.AsError(err); !ok || e.Code != "Duplicate.ResourceId" {
		t.Fatalf("repeated IDs that reach the handler answer Duplicate.ResourceId, got %v", err)
	}
}

func TestListTagResourcesPagesAndFilters(t *testing.T) {
	srv := newSMCServer(t)
	params := p{"ResourceType": "sourceserver"}
	ids := []string{linuxSrc, linuxSrc2, "s-bp1smcctwindows00001", "s-bp1smcctlinux0000003"}
	for i, id := range ids {
		params[fmt.Sprintf("ResourceId.%d", i+1)] = id
	}
	for i := 1; i <= 20; i++ {
		params[fmt.Sprintf("Tag.%d.Key", i)] = fmt.Sprintf("k%02d", i)
		params[fmt.Sprintf("Tag.%d.Value", i)] = "v"
	}
	must(t, srv, defaultAcct, "TagResources", params)
	must(t, srv, defaultAcct, "TagResources", p{"ResourceType": "sourceserver", "ResourceId.1": linuxSrc, "Tag.1.Key": "k01", "Tag.1.Value": "special"})
	var seen int
	token := ""
	for pages := 0; ; pages++ {
		q := p{"ResourceType": "sourceserver"}
		if token != "" {
			q["NextToken"] = token
		}
		body := must(t, srv, defaultAcct, "ListTagResources", q)
		seen += len(wrapped(body, "TagResources", "TagResource"))
		token, _ = body["NextToken"].(string)
		if token == "" {
			if pages != 1 {
				t.Errorf("80 bindings take two pages of 50, took %d", pages+1)
			}
			break
		}
	}
	if seen != 80 {
		t.Errorf("paging returns every binding once: %d of 80", seen)
	}
	cases := []struct {
		filter p
		want   int
		why    string
	}{
		{p{"ResourceId.1": linuxSrc2}, 20, "one resource's tags"},
		{p{"Tag.1.Key": "k01", "Tag.1.Value": "special"}, 20, "resources carrying the tag, with all their tags"},
		{p{"ResourceId.1": linuxSrc2, "Tag.1.Key": "k01", "Tag.1.Value": "special"}, 0, "ANDed"},
	}
	for _, tc := range cases {
		tc.filter["ResourceType"] = "sourceserver"
		body := must(t, srv, defaultAcct, "ListTagResources", tc.filter)
		if got := len(wrapped(body, "TagResources", "TagResource")); got != tc.want {
			t.Errorf("%s: %d bindings, want %d", tc.why, got, tc.want)
		}
	}
	fails(t, srv, defaultAcct, "ListTagResources", p{"ResourceType": "sourceserver", "NextToken": "zzz"}, "InvalidNextToken")
	fails(t, srv, defaultAcct, "ListTagResources", p{"ResourceType": "sourceserver", "ResourceId.1": "s-missing00000000001"}, "InvalidResourceId.NotFound")
}
