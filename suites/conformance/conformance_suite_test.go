package conformance_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/suites/framework"
)

// TestConformance runs every spec against a fresh in-process reference. Under ginkgo -p
// each process builds its own, so parallel processes share nothing.
func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	target, err := framework.NewInProcess(rpc.V1)
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	framework.Use(target)
	RunSpecs(t, "smcct conformance")
}
