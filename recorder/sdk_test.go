package recorder

import (
	"net/url"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/smc"
)

// sdkCall runs DescribeSourceServers with the official v1 Go SDK against host:port.
func sdkCall(t *testing.T, endpoint, id, secret string, pageSize int) (*smc.DescribeSourceServersResponse, error) {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	c, err := smc.NewClientWithAccessKey("cn-hangzhou", id, secret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = u.Host
	req := smc.CreateDescribeSourceServersRequest()
	req.Scheme = "http"
	req.PageSize = requests.NewInteger(pageSize)
	return c.DescribeSourceServers(req)
}

// TestOfficialSDKRecordReplay records a v1 SDK session through the proxy, then replays it to
// the same SDK with other credentials: the SDK must get identical answers, in order.
func TestOfficialSDKRecordReplay(t *testing.T) {
	path := tempCassette(t)
	up := newFakeUpstream(t)
	proxy, _, rec := startProxy(t, up.URL, path)
	sizes := []int{10, 10, 20}
	var recorded []string
	for _, n := range sizes {
		resp, err := sdkCall(t, proxy.URL, clientID, clientSecret, n)
		if err != nil {
			t.Fatalf("SDK through the proxy: %v", err)
		}
		if resp.PageSize != n {
			t.Fatalf("upstream saw PageSize %d, sent %d", resp.PageSize, n)
		}
		recorded = append(recorded, resp.GetHttpContentString())
	}
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	assertClean(t, path)

	replay, rrec := startReplay(t, path)
	for i, n := range sizes {
		resp, err := sdkCall(t, replay.URL, "another-id", "another-secret", n)
		if err != nil {
			t.Fatalf("SDK against replay, call %d: %v", i, err)
		}
		if got := resp.GetHttpContentString(); got != recorded[i] {
			t.Errorf("call %d: replayed %s, recorded %s", i, got, recorded[i])
		}
	}
	_, err := sdkCall(t, replay.URL, "another-id", "another-secret", 30)
	if err == nil {
		t.Fatal("an unrecorded call succeeded")
	}
	t.Logf("SDK sees a miss as: %v", err)
	if err := rrec.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
}
