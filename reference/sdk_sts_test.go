package reference

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ebs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/smc"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
)

// The official v1 Go SDK against the reference's STS: AssumeRole through services/sts, the
// temporary credentials through NewClientWithStsToken for SMC and EBS, the documented
// answer once they expire, and the RAM-role credential provider, which calls AssumeRole on
// its own. Nothing of the SDK is changed; only where its connections go.

const sdkRoleArn = "acs:ram::1000000000000001:role/smcct-migrator"

func v1AssumeRole(t *testing.T, host, session, duration string) sts.Credentials {
	t.Helper()
	c, err := sts.NewClientWithAccessKey("cn-hangzhou", "smcct-ram-user", "smcct-ram-user-secret")
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = host
	req := sts.CreateAssumeRoleRequest()
	req.Scheme = "http"
	req.RoleArn, req.RoleSessionName, req.DurationSeconds = sdkRoleArn, session, requests.Integer(duration)
	resp, err := c.AssumeRole(req)
	v1OK(t, "AssumeRole", err)
	creds := resp.Credentials
	if !strings.HasPrefix(creds.AccessKeyId, "STS.") || creds.SecurityToken == "" || creds.Expiration == "" ||
		!strings.Contains(resp.AssumedRoleUser.Arn, "role/smcct-migrator/"+session) {
		t.Fatalf("AssumeRole answered %+v %+v", creds, resp.AssumedRoleUser)
	}
	return creds
}

func TestV1SDKCallsSMCAndEBSWithSTSCredentials(t *testing.T) {
	ref := newSDKRef(t)
	creds := v1AssumeRole(t, ref.host, "sdk-v1-sts", "900")

	sc, err := smc.NewClientWithStsToken("cn-hangzhou", creds.AccessKeyId, creds.AccessKeySecret, creds.SecurityToken)
	if err != nil {
		t.Fatal(err)
	}
	sc.Domain = ref.host
	sources, err := sc.DescribeSourceServers(smc.CreateDescribeSourceServersRequest())
	v1OK(t, "DescribeSourceServers with STS credentials", err)
	if sources.TotalCount == 0 {
		t.Fatal("the session sees no source servers of its account")
	}

	ec, err := ebs.NewClientWithStsToken("cn-hangzhou", creds.AccessKeyId, creds.AccessKeySecret, creds.SecurityToken)
	if err != nil {
		t.Fatal(err)
	}
	ec.Domain = ref.host
	groups := ebs.CreateDescribeDiskReplicaGroupsRequest()
	groups.RegionId = "cn-hangzhou"
	_, err = ec.DescribeDiskReplicaGroups(groups)
	v1OK(t, "DescribeDiskReplicaGroups with STS credentials", err)

	// The session is bound by its role's policies: RAM is not the role's to use.
	forged, err := smc.NewClientWithStsToken("cn-hangzhou", creds.AccessKeyId, creds.AccessKeySecret, creds.SecurityToken+"x")
	if err != nil {
		t.Fatal(err)
	}
	forged.Domain = ref.host
	_, err = forged.DescribeSourceServers(smc.CreateDescribeSourceServersRequest())
	v1WantError(t, "a tampered token", err, "InvalidSecurityToken.Malformed", 400)

	ref.advance(t, "15m")
	_, err = sc.DescribeSourceServers(smc.CreateDescribeSourceServersRequest())
	v1WantError(t, "after the token expired", err, "InvalidSecurityToken.Expired", 400)
	_, err = ec.DescribeDiskReplicaGroups(groups)
	v1WantError(t, "EBS after the token expired", err, "InvalidSecurityToken.Expired", 400)
}

// The RAM-role credential provider of v1.63.107 calls AssumeRole itself, always over HTTPS,
// on the host its builder was given (sts.aliyuncs.com by default), with a transport cloned
// from http.DefaultTransport. The reference is served over TLS on loopback and the default
// transport trusts its certificate for the length of the test.
func TestV1SDKRAMRoleCredentialProvider(t *testing.T) {
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts, plain := httptest.NewTLSServer(srv), httptest.NewServer(srv) // STS over TLS, SMC over HTTP
	t.Cleanup(func() { ts.Close(); plain.Close(); srv.Close() })
	host := strings.TrimPrefix(ts.URL, "https://")
	trustForTest(t, ts.Certificate())

	provider, err := credentials.NewRAMRoleARNCredentialsProviderBuilder().
		WithAccessKeyId("smcct-ram-user").WithAccessKeySecret("smcct-ram-user-secret").
		WithRoleArn(sdkRoleArn).WithRoleSessionName("sdk-v1-provider").WithDurationSeconds(900).
		WithStsEndpoint(host).Build()
	if err != nil {
		t.Fatal(err)
	}
	c, err := smc.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(), provider)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = strings.TrimPrefix(plain.URL, "http://")
	_, err = c.DescribeReplicationJobs(smc.CreateDescribeReplicationJobsRequest())
	v1OK(t, "DescribeReplicationJobs through the RAM-role provider", err)
	cc, err := provider.GetCredentials()
	if err != nil || !strings.HasPrefix(cc.AccessKeyId, "STS.") || cc.SecurityToken == "" || cc.ProviderName != "ram_role_arn/static_ak" {
		t.Fatalf("the provider holds %+v (%v), want the session the reference issued", cc, err)
	}

	// A user without sts:AssumeRole gets the documented refusal through the provider.
	denied, err := credentials.NewRAMRoleARNCredentialsProviderBuilder().
		WithAccessKeyId("smcct-reader").WithAccessKeySecret("smcct-reader-secret").
		WithRoleArn(sdkRoleArn).WithRoleSessionName("sdk-v1-denied").WithStsEndpoint(host).Build()
	if err != nil {
		t.Fatal(err)
	}
	_, err = denied.GetCredentials()
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) || se.HttpStatus() != 403 || se.ErrorCode() != "NoPermission" {
		t.Fatalf("a user without sts:AssumeRole: %v", err)
	}
}

// trustForTest makes http.DefaultTransport, which the provider clones, trust cert until the
// test ends. Tests of this package do not run in parallel.
func trustForTest(t *testing.T, cert *x509.Certificate) {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport)
	old := tr.TLSClientConfig
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	t.Cleanup(func() { tr.TLSClientConfig = old })
}
