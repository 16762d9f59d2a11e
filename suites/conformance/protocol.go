package conformance

import (
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/suites/framework"
)

// probeActions are reads with no required parameters but RegionId, one per product: the
// protocol specs need an action whose success depends on nothing but the envelope, and each
// product's gateway path (HostId, code family) is checked on its own.
var probeActions = []string{"DescribeSourceServers", "DescribeDiskReplicaGroups"}

func gatewayError(code string) (string, int, string) {
	e := framework.Catalog().Gateway.Error(code)
	return e.Code, e.Status, e.Message
}

var _ = func() bool {
	for _, probe := range probeActions {
		describeProtocol(probe)
	}
	return true
}()

func describeProtocol(probeAction string) bool {
	product := framework.MustAction(probeAction).Product.Name
	return Describe("Protocol ("+product+")", Label("protocol", "action:"+probeAction), func() {
		f := framework.New()

		for _, signer := range []rpc.Signer{rpc.V1, rpc.V3} {
			Context("with signature "+signer.String(), func() {
				It("answers a correctly signed request with 200", func(ctx SpecContext) {
					c := client(f, framework.ClientOptions{Signer: signer}, f.T.Default)
					Expect(f.CallWith(ctx, c, f.NeedAction(probeAction), nil)).To(framework.Succeed200())
				})
				It("returns SignatureDoesNotMatch for a wrong secret", Label("error", "code:SignatureDoesNotMatch"), func(ctx SpecContext) {
					c := client(f, framework.ClientOptions{Signer: signer}, framework.Credentials{AccessKeyID: f.T.Default.AccessKeyID, Secret: "smcct-wrong-secret"})
					code, status, _ := gatewayError("SignatureDoesNotMatch")
					Expect(f.CallWith(ctx, c, f.NeedAction(probeAction), nil)).To(framework.HaveCode(code, status))
				})
				It("returns InvalidAccessKeyId.NotFound for an unknown key", Label("error", "code:InvalidAccessKeyId.NotFound"), func(ctx SpecContext) {
					c := client(f, framework.ClientOptions{Signer: signer}, framework.Credentials{AccessKeyID: "smcct-unknown-key", Secret: "x"})
					Expect(f.CallWith(ctx, c, f.NeedAction(probeAction), nil)).To(framework.HaveError(gatewayError("InvalidAccessKeyId.NotFound")))
				})
			})
		}

		DescribeTable("request envelope",
			func(ctx SpecContext, code string, change func(q url.Values)) {
				// These are v1's common parameters, whatever signer the run uses.
				v1 := client(f, framework.ClientOptions{Signer: rpc.V1}, f.T.Default)
				a := f.NeedAction(probeAction)
				req, err := v1.RPC().NewRequest(a.Product.Version, a.Name, nil)
				Expect(err).NotTo(HaveOccurred())
				change(req.Query)
				Expect(v1.RPC().Sign(req)).To(Succeed())
				c, s, _ := gatewayError(code)
				Expect(f.SendWith(ctx, v1, nil, req)).To(framework.HaveCode(c, s))
			},
			Entry("a malformed Timestamp returns InvalidTimeStamp.Format", Label("error", "code:InvalidTimeStamp.Format"), "InvalidTimeStamp.Format",
				func(q url.Values) { q.Set("Timestamp", "2026/11/23 08:00:00") }),
			Entry("a Timestamp an hour old returns InvalidTimeStamp.Expired", Label("error", "code:InvalidTimeStamp.Expired"), "InvalidTimeStamp.Expired",
				func(q url.Values) {
					q.Set("Timestamp", f.T.SigningTime().UTC().Add(-time.Hour).Format("2006-01-02T15:04:05Z"))
				}),
			Entry("an unknown Version returns InvalidVersion", Label("error", "code:InvalidVersion"), "InvalidVersion",
				func(q url.Values) { q.Set("Version", "2001-01-01") }),
			Entry("no Version returns MissingVersion", Label("error", "code:MissingVersion"), "MissingVersion",
				func(q url.Values) { q.Del("Version") }),
			Entry("an unknown Action returns InvalidAction.NotFound", Label("error", "code:InvalidAction.NotFound"), "InvalidAction.NotFound",
				func(q url.Values) { q.Set("Action", "DescribeNothingAtAll") }),
			Entry("no Action returns MissingAction", Label("error", "code:MissingAction"), "MissingAction",
				func(q url.Values) { q.Del("Action") }),
			Entry("an unknown SignatureMethod returns InvalidSignatureMethod", Label("error", "code:InvalidSignatureMethod"), "InvalidSignatureMethod",
				func(q url.Values) { q.Set("SignatureMethod", "HMAC-MD5") }),
			Entry("an unknown SignatureVersion returns InvalidSignatureVersion", Label("error", "code:InvalidSignatureVersion"), "InvalidSignatureVersion",
				func(q url.Values) { q.Set("SignatureVersion", "9.9") }),
			Entry("no SignatureNonce returns MissingSignatureNonce", Label("error", "code:MissingSignatureNonce"), "MissingSignatureNonce",
				func(q url.Values) { q.Del("SignatureNonce") }),
			Entry("Format YAML returns InvalidParameter.Format", Label("error", "code:InvalidParameter.Format"), "InvalidParameter.Format",
				func(q url.Values) { q.Set("Format", "YAML") }),
			Entry("no AccessKeyId returns MissingAccessKeyId", Label("error", "code:MissingAccessKeyId"), "MissingAccessKeyId",
				func(q url.Values) { q.Del("AccessKeyId") }),
			Entry("no SignatureMethod returns MissingSignatureMethod", Label("error", "code:MissingSignatureMethod"), "MissingSignatureMethod",
				func(q url.Values) { q.Del("SignatureMethod") }),
			Entry("no Timestamp returns MissingTimestamp", Label("error", "code:MissingTimestamp"), "MissingTimestamp",
				func(q url.Values) { q.Del("Timestamp") }),
			Entry("a 70 KiB value returns InvalidParameter.TooLarge", Label("error", "code:InvalidParameter.TooLarge"), "InvalidParameter.TooLarge",
				func(q url.Values) { q.Set("Name", strings.Repeat("n", 70<<10)) }),
		)

		It("returns IncompleteSignature for a v3 Authorization that does not sign the x-acs headers", Label("error", "code:IncompleteSignature"), func(ctx SpecContext) {
			c := client(f, framework.ClientOptions{Signer: rpc.V3}, f.T.Default)
			a := f.NeedAction(probeAction)
			req, err := c.RPC().NewRequest(a.Product.Version, a.Name, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.RPC().Sign(req)).To(Succeed())
			auth, err := rpc.ParseAuthorization(req.Header.Get("Authorization"))
			Expect(err).NotTo(HaveOccurred())
			auth.SignedHeaders = []string{"host"}
			req.Header.Set("Authorization", auth.String())
			code, status, _ := gatewayError("IncompleteSignature")
			Expect(f.SendWith(ctx, c, nil, req)).To(framework.HaveCode(code, status))
		})

		It("returns SignatureNonceUsed when a nonce is sent twice", Label("error", "code:SignatureNonceUsed"), func(ctx SpecContext) {
			a := f.NeedAction(probeAction)
			req, err := f.Client.RPC().NewRequest(a.Product.Version, a.Name, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(f.SendWith(ctx, f.Client, a, req)).To(framework.Succeed200())
			code, status, _ := gatewayError("SignatureNonceUsed")
			Expect(f.SendWith(ctx, f.Client, a, req)).To(framework.HaveCode(code, status))
		})

		It("returns no Signature as MissingSignature", Label("error", "code:MissingSignature"), func(ctx SpecContext) {
			v1 := client(f, framework.ClientOptions{Signer: rpc.V1}, f.T.Default) // v1 signs in the query
			a := f.NeedAction(probeAction)
			req, err := v1.RPC().NewRequest(a.Product.Version, a.Name, nil)
			Expect(err).NotTo(HaveOccurred())
			req.Query.Del("Signature")
			code, status, _ := gatewayError("MissingSignature")
			Expect(f.SendWith(ctx, v1, nil, req)).To(framework.HaveCode(code, status))
		})

		DescribeTable("transport variants succeed",
			func(ctx SpecContext, opts framework.ClientOptions) {
				c := client(f, opts, f.T.Default)
				Expect(f.CallWith(ctx, c, f.NeedAction(probeAction), nil)).To(framework.Succeed200())
			},
			Entry("GET with parameters in the query", framework.ClientOptions{Method: "GET"}),
			Entry("POST with parameters in the query", framework.ClientOptions{Method: "POST"}),
			Entry("POST with parameters in a form body", framework.ClientOptions{Method: "POST", InBody: true}),
			Entry("Format XML answers text/xml", framework.ClientOptions{Format: rpc.XML}),
		)

		It("answers an error in XML when XML was asked for", Label("error"), func(ctx SpecContext) {
			c := client(f, framework.ClientOptions{Format: rpc.XML}, framework.Credentials{AccessKeyID: "smcct-unknown-key", Secret: "x"})
			r := f.CallWith(ctx, c, f.NeedAction(probeAction), nil)
			Expect(r.Err).NotTo(BeNil())
			Expect(r.Response.Header.Get("Content-Type")).To(HavePrefix("text/xml"))
		})

		It("returns UnsupportedHTTPMethod for PUT", Label("error", "code:UnsupportedHTTPMethod"), func(ctx SpecContext) {
			a := f.NeedAction(probeAction)
			req, err := f.Client.RPC().NewRequest(a.Product.Version, a.Name, nil)
			Expect(err).NotTo(HaveOccurred())
			req.Method = "PUT"
			Expect(f.Client.RPC().Sign(req)).To(Succeed())
			code, status, _ := gatewayError("UnsupportedHTTPMethod")
			Expect(f.SendWith(ctx, f.Client, nil, req)).To(framework.HaveCode(code, status))
		})
	})
}

func client(f *framework.F, opts framework.ClientOptions, cred framework.Credentials) *framework.Client {
	GinkgoHelper()
	c, err := f.T.NewClient(cred, opts)
	Expect(err).NotTo(HaveOccurred())
	return c
}
