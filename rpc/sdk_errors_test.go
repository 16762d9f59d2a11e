package rpc

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
)

// gatewayServer answers every request the way the reference's front door will: Admit,
// then an error envelope or a small success body.
func gatewayServer(t *testing.T, g *Gateway) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call, e := g.Admit(r)
		if e != nil {
			WriteError(w, call.Format, call.Host(), e)
			return
		}
		if err := WriteResult(w, call.Format, call.Action.Name, NewRequestID(), map[string]any{"JobId": "j-1"}); err != nil {
			t.Errorf("WriteResult: %v", err)
		}
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestSDKsAdmittedLive runs every SDK call against the gateway on the wall clock: fresh
// nonces and timestamps, real transport.
func TestSDKsAdmittedLive(t *testing.T) {
	g := testGateway(t, time.Time{})
	g.Now = time.Now
	host := gatewayServer(t, g)
	for _, c := range sdkCalls {
		if err := c.run(host); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestV1SDKReadsErrorEnvelope: the v1 SDK's ServerError exposes our code, status and ids.
func TestV1SDKReadsErrorEnvelope(t *testing.T) {
	cases := []struct {
		reason string
		err    Error
	}{
		{"an action error with a 404", Error{Status: 404, Code: "InvalidJobId.NotFound", Message: "The specified JobId does not exist."}},
		{"a gateway 400", Error{Status: 400, Code: "SignatureNonceUsed", Message: "Specified signature nonce was used already."}},
		{"a server error", Error{Status: 500, Code: "InternalError", Message: "boom"}},
	}
	for _, tc := range cases {
		t.Run(tc.err.Code, func(t *testing.T) {
			id := NewRequestID()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				e := tc.err
				e.RequestID = id
				WriteError(w, JSON, "smc.aliyuncs.com", &e)
			}))
			defer srv.Close()
			err := v1DescribeReplicationJobs(strings.TrimPrefix(srv.URL, "http://"))
			var se *sdkerrors.ServerError
			if !errors.As(err, &se) {
				t.Fatalf("%s: got %T %v, want *errors.ServerError", tc.reason, err, err)
			}
			if se.ErrorCode() != tc.err.Code || se.HttpStatus() != tc.err.Status || se.RequestId() != id ||
				se.HostId() != "smc.aliyuncs.com" || se.Message() != tc.err.Message {
				t.Errorf("%s: SDK saw %s/%d/%s/%s/%q", tc.reason, se.ErrorCode(), se.HttpStatus(), se.RequestId(), se.HostId(), se.Message())
			}
		})
	}
}

// TestV1SDKSignatureHint: with the server holding another secret, the v1 SDK finds its own
// string to sign in our message and concludes the secret is wrong (not a canonicalisation bug).
func TestV1SDKSignatureHint(t *testing.T) {
	g := testGateway(t, time.Time{})
	g.Now = time.Now
	g.Secrets = func(string) (string, bool) { return "not-" + testSecret, true }
	err := v1DescribeReplicationJobs(gatewayServer(t, g))
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("got %T %v, want *errors.ServerError", err, err)
	}
	if se.ErrorCode() != "SignatureDoesNotMatch" || se.HttpStatus() != 400 {
		t.Fatalf("got %s/%d", se.ErrorCode(), se.HttpStatus())
	}
	if !strings.Contains(se.Recommend(), "InvalidAccessKeySecret") {
		t.Errorf("SDK hint %q does not blame the secret: server and client strings to sign differ", se.Recommend())
	}
}

// TestV2SDKReadsErrorEnvelope: the v2 core maps our body to its SDKError code and status.
func TestV2SDKReadsErrorEnvelope(t *testing.T) {
	g := testGateway(t, time.Time{})
	g.Now = time.Now
	g.Secrets = func(string) (string, bool) { return "", false }
	err := v3Call(gatewayServer(t, g), "2019-06-01", "StopReplicationJob", map[string]string{"JobId": "j-1"})
	var te *tea.SDKError
	if !errors.As(err, &te) {
		t.Fatalf("got %T %v, want *tea.SDKError", err, err)
	}
	if tea.StringValue(te.Code) != "InvalidAccessKeyId.NotFound" || tea.IntValue(te.StatusCode) != 404 {
		t.Errorf("SDK saw %s/%d", tea.StringValue(te.Code), tea.IntValue(te.StatusCode))
	}
}
