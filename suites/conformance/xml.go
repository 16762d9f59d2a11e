package conformance

import (
	"bytes"
	"encoding/xml"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// Every read action that needs nothing but RegionId answers Format=XML with the POP XML
// envelope: a root element named <Action>Response whose first child is RequestId. The
// framework already checks that such a body is well-formed XML; these specs check its shape.
var _ = Describe("XML envelope", Label("protocol"), func() {
	f := framework.New()
	for _, a := range framework.Catalog().Actions() {
		if a.Write || !onlyRegionRequired(a) {
			continue
		}
		It(fmt.Sprintf("%s answers <%sResponse> with RequestId first", a.Name, a.Name), Label("action:"+a.Name), func(ctx SpecContext) {
			c, err := f.T.NewClient(f.T.Default, framework.ClientOptions{Format: rpc.XML})
			Expect(err).NotTo(HaveOccurred())
			r := f.CallWith(ctx, c, f.NeedAction(a.Name), nil)
			Expect(r.Err).To(BeNil())
			root, first, err := xmlShape(r.Response.Body)
			Expect(err).NotTo(HaveOccurred())
			Expect(root).To(Equal(a.Name + "Response"))
			Expect(first).To(Equal("RequestId"))
		})
	}
})

func onlyRegionRequired(a *spec.Action) bool {
	for _, p := range a.Params {
		if p.Required && p.Name != "RegionId" {
			return false
		}
	}
	return true
}

// xmlShape returns the root element's name and the name of its first child element.
func xmlShape(body []byte) (root, first string, err error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return root, first, fmt.Errorf("after <%s>: %w", root, err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		depth++
		if depth == 1 {
			root = start.Name.Local
			continue
		}
		return root, start.Name.Local, nil
	}
}
