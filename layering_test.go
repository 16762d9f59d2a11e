package smcct

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

const module = "github.com/smcct/smcct"

// layers says which packages of the module each package's non-test code may import:
// spec <- rpc <- reference, recorder, framework <- suites, with the case generators beside
// rpc and cmd on top. A package missing here fails the test until it is given a place.
var layers = map[string]struct {
	may    []string
	reason string
}{
	"":                   {nil, "the module root holds only this test"},
	"rpc/flat":           {nil, "the flat parameter codec stands alone under the contract"},
	"fixtures":           {nil, "seed data, read by whoever seeds"},
	"guard":              {nil, "who may drive a local control plane: plain HTTP, nothing of the contract"},
	"ram":                {nil, "the RAM policy language stands alone: it judges requests it is handed"},
	"spec":               {[]string{"rpc/flat"}, "the contract knows its parameters' wire shapes and nothing else"},
	"rpc":                {[]string{"spec", "rpc/flat"}, "the wire protocol speaks the contract's envelopes"},
	"cases":              {[]string{"spec", "rpc/flat"}, "case generators read the contract and encode requests, with no transport or harness"},
	"reference":          {[]string{"spec", "rpc", "rpc/flat", "fixtures", "guard", "ram"}, "the reference never sees the suites, their generators or the recorder"},
	"recorder":           {[]string{"spec", "rpc", "rpc/flat", "guard"}, "record and replay sit on the wire protocol"},
	"suites/framework":   {[]string{"spec", "rpc", "rpc/flat", "cases", "recorder", "reference", "guard"}, "the harness; reference only in NewInProcess's file (see inProcessOnly)"},
	"suites/conformance": {[]string{"spec", "rpc", "rpc/flat", "cases", "suites/framework"}, "specs are black box: never the reference"},
	"suites/deviation":   {nil, "test-only"},
	"soak":               {nil, "test-only: attacks a built smcct serve over loopback"},
	"report":             {[]string{"spec", "recorder"}, "reports read Ginkgo's results with the contract (rows, rules) and the recorder's redaction; only cmd uses them"},
	"loadgen":            {[]string{"rpc"}, "the load client signs with the wire protocol and knows no server"},
	"cmd/smcct":          {[]string{"*"}, "the CLI may import anything"},
}

// inProcessOnly: within these packages, the named import may appear only in the named file.
var inProcessOnly = map[string]map[string]string{
	"suites/framework": {"reference": "inprocess.go"},
}

// sdkPrefixes are the official Alibaba Cloud SDKs: for tests only, never product code.
var sdkPrefixes = []string{"github.com/aliyun/", "github.com/alibabacloud-go/"}

func rel(path string) (string, bool) {
	if path == module {
		return "", true
	}
	r, ok := strings.CutPrefix(path, module+"/")
	return r, ok
}

func load(t *testing.T, tests bool) []*packages.Package {
	t.Helper()
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles | packages.NeedImports, Tests: tests}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		t.Fatal(err)
	}
	if packages.PrintErrors(pkgs) > 0 {
		t.Fatal("the module does not load")
	}
	return pkgs
}

func TestImportsPointOneWay(t *testing.T) {
	for _, p := range load(t, false) {
		me, _ := rel(p.PkgPath)
		rule, ok := layers[me]
		if !ok {
			t.Errorf("package %q has no place in the layering: add it to layers in layering_test.go and to the README's Layout", me)
			continue
		}
		for path := range p.Imports {
			for _, sdk := range sdkPrefixes {
				if strings.HasPrefix(path, sdk) {
					t.Errorf("%s imports %s: the official SDKs are for tests only", me, path)
				}
			}
			dep, ours := rel(path)
			if !ours || slices.Contains(rule.may, "*") {
				continue
			}
			if !slices.Contains(rule.may, dep) {
				t.Errorf("%s imports %s, which its layer does not allow (%s)", me, dep, rule.reason)
			}
		}
		for dep, file := range inProcessOnly[me] {
			for _, f := range p.GoFiles {
				if filepath.Base(f) != file && importsOf(t, f)[module+"/"+dep] {
					t.Errorf("%s imports %s; only %s may", filepath.Join(me, filepath.Base(f)), dep, file)
				}
			}
		}
	}
}

// Tests may reach wider (a reference to run against, rpc to call a handler), but only the
// suites' own tests and the CLI's may import the suites.
func TestOnlyTheCLIImportsTheSuites(t *testing.T) {
	for _, p := range load(t, true) {
		me, _ := rel(p.PkgPath)
		if me == "cmd/smcct" || strings.HasPrefix(me, "suites/") {
			continue
		}
		for path := range p.Imports {
			if dep, ours := rel(path); ours && strings.HasPrefix(dep, "suites/") {
				t.Errorf("%s (%s) imports %s: nothing but cmd/smcct imports the suites", me, p.ID, dep)
			}
		}
	}
}

func importsOf(t *testing.T, file string) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		out[p] = true
	}
	return out
}
