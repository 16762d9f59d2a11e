package spec_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// Every action's documented example, written as XML by the reference's own envelope
// writer, must read back as a body its response schema accepts.
func TestExamplesPassAsXML(t *testing.T) {
	for _, a := range spec.MustDefault().Actions() {
		body := exampleXML(t, a)
		if err := a.CheckXMLResponse([]byte(body)); err != nil {
			t.Errorf("%s: %v\n%s", a.Name, err, body)
		}
	}
}

// exampleXML is an action's documented example as the reference writes it in XML.
func exampleXML(t *testing.T, a *spec.Action) string {
	t.Helper()
	ex, ok := a.Example.(map[string]any)
	if !ok {
		t.Fatalf("%s: example is %T, not an object", a.Name, a.Example)
	}
	result := map[string]any{}
	for k, v := range ex {
		if k != "RequestId" {
			result[k] = v
		}
	}
	body, err := rpc.ResultBody(rpc.XML, a.Name, "0C3B3D5E-1F2A-4B5C-8D9E-0A1B2C3D4E5F", result)
	if err != nil {
		t.Fatalf("%s: %v", a.Name, err)
	}
	return string(body)
}

// Bodies that break the schema in ways only XML can, or in the ordinary ways.
func TestCheckXMLResponseRefuses(t *testing.T) {
	a, ok := spec.MustDefault().Lookup("2019-06-01", "DescribeReplicationJobs")
	if !ok {
		t.Fatal("no DescribeReplicationJobs")
	}
	good := exampleXML(t, a)
	edit := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("the example has no %q", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	cases := []struct {
		body, want, reason string
	}{
		{edit("<TotalCount>1<", "<TotalCount>one<"), "TotalCount", "an integer field holding words"},
		{edit("<RunOnce>false<", "<RunOnce>no<"), "RunOnce", "a boolean field holding words"},
		{edit("<PageSize>10</PageSize>", "<PageSize>10</PageSize><PageSize>20</PageSize>"), "PageSize", "a single value written twice"},
		{strings.ReplaceAll(good, "DescribeReplicationJobsResponse", "DescribeJobsResponse"), "root element", "the wrong root element"},
		{good[:len(good)-20], "not XML", "a body cut short"},
		{edit("<JobId>j-bp1e2fsl57knvuug7n3k</JobId>", "<JobId><Id>j-1</Id></JobId>"), "JobId", "elements where a string belongs"},
		{edit("<TotalCount>1</TotalCount>", ""), "TotalCount", "a required field left out"},
	}
	for _, tc := range cases {
		err := a.CheckXMLResponse([]byte(tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming %q", tc.reason, err, tc.want)
		}
	}
}

// XMLValue types what the schema types and keeps what it does not describe.
func TestXMLValue(t *testing.T) {
	a, _ := spec.MustDefault().Lookup("2019-06-01", "DescribeReplicationJobs")
	body := "<R><RequestId>R</RequestId><TotalCount>3</TotalCount><Extra><A>1</A><A>2</A></Extra>" +
		"<ReplicationJobs/></R>"
	v, err := spec.XMLValue(a.Response, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(v)
	want := `{"Extra":{"A":["1","2"]},"ReplicationJobs":{"ReplicationJob":[]},"RequestId":"R","TotalCount":3}`
	if string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

// Any body, however broken, gets a value or an error from XMLValue, never a panic.
func FuzzXMLValue(f *testing.F) {
	f.Add("<R><RequestId>R</RequestId><TotalCount>3</TotalCount><ReplicationJobs><ReplicationJob><JobId>j</JobId></ReplicationJob></ReplicationJobs></R>")
	f.Add("<R><![CDATA[a]]>b&amp;<X/></R>")
	a, _ := spec.MustDefault().Lookup("2019-06-01", "DescribeReplicationJobs")
	f.Fuzz(func(t *testing.T, body string) {
		_, _ = spec.XMLValue(a.Response, []byte(body))
		_ = a.CheckXMLResponse([]byte(body))
	})
}
