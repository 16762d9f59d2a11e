package rpc

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/smcct/smcct/spec"
)

// Credentials of every test: obviously fake.
const (
	testID     = "testid"
	testSecret = "testsecret"
)

var (
	testProductOnce sync.Once
	testProduct     *spec.Product
	testProductErr  error
)

// smcTest is the product of testdata/smc-test.yaml.
func smcTest(t testing.TB) *spec.Product {
	t.Helper()
	testProductOnce.Do(func() {
		data, err := os.ReadFile("testdata/smc-test.yaml")
		if err != nil {
			testProductErr = err
			return
		}
		testProduct, testProductErr = spec.LoadProduct(data)
	})
	if testProductErr != nil {
		t.Fatalf("test product: %v", testProductErr)
	}
	return testProduct
}

// testGateway serves the test smc product and the real ebs one, with one fake key pair
// and a wall clock fixed at now.
func testGateway(t testing.TB, now time.Time) *Gateway {
	t.Helper()
	cat := spec.MustDefault()
	smc := smcTest(t)
	return &Gateway{
		Catalog: cat,
		Lookup: func(v string) (*spec.Product, bool) {
			if v == smc.Version {
				return smc, true
			}
			return cat.ByVersion(v)
		},
		Secrets: func(id string) (string, bool) {
			if id == testID {
				return testSecret, true
			}
			return "", false
		},
		Now:    func() time.Time { return now },
		Nonces: NewNonceCache(0),
	}
}
