package reference

import (
	"errors"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
)

// A throttled call reaches the v2 SDK core as its ThrottlingError, with the retry delay it
// reads from the rate-limit header: what an SDK's retry logic is tested against. The core
// flattens errors into tea.SDKError unless the client sets DisableSDKError; its retry policy reads
// the delay before that.
func TestV2CoreSeesThrottling(t *testing.T) {
	r := newIAMRef(t)
	host := r.url[len("http://"):]
	c, err := openapi.NewClient(&openapi.Config{
		Endpoint: dara.String(host), Protocol: dara.String("HTTP"), RegionId: dara.String("cn-hangzhou"),
		AccessKeyId: dara.String("smcct"), AccessKeySecret: dara.String("smcct-secret"),
	})
	if err != nil {
		t.Fatal(err)
	}
	c.DisableSDKError = dara.Bool(true)
	v := &v2Client{t: t, c: c, region: "cn-hangzhou"}
	r.must("POST", "/_smcct/flow-control", map[string]any{"scope": "api", "action": "DescribeSourceServers", "calls": 1, "per": "1m"})
	v.ok("2019-06-01", "DescribeSourceServers", nil)
	_, err = v.call("2019-06-01", "DescribeSourceServers", nil)
	var te *openapi.ThrottlingError
	if !errors.As(err, &te) {
		t.Fatalf("got %T %v, want *ThrottlingError", err, err)
	}
	if dara.StringValue(te.Code) != "Throttling.Api" || dara.IntValue(te.StatusCode) != 400 {
		t.Fatalf("ThrottlingError %s/%d", dara.StringValue(te.Code), dara.IntValue(te.StatusCode))
	}
	// The virtual clock has not moved since the window opened: a whole minute is left.
	if got := dara.Int64Value(te.RetryAfter); got != 60000 {
		t.Fatalf("RetryAfter %d ms, want 60000", got)
	}
}
