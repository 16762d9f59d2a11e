package smcct

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFuzzScriptFindsEveryTarget: `make fuzz` runs scripts/fuzz.sh, which must exist, run,
// and find every fuzz target of the module (a func FuzzX(*testing.F) in a _test.go file).
func TestFuzzScriptFindsEveryTarget(t *testing.T) {
	out, err := exec.Command("./scripts/fuzz.sh", "--list").Output()
	if err != nil {
		t.Fatalf("scripts/fuzz.sh --list: %v", err)
	}
	listed := strings.Split(strings.TrimSpace(string(out)), "\n")
	var want []string
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Fuzz") && len(fn.Type.Params.List) == 1 {
				if sel, ok := fn.Type.Params.List[0].Type.(*ast.StarExpr); ok && types(sel.X) == "testing.F" {
					want = append(want, "./"+filepath.Dir(path)+" "+fn.Name.Name)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		want[i] = strings.Replace(w, "./. ", ". ", 1)
	}
	slices.Sort(want)
	if len(want) == 0 || !slices.Equal(listed, want) {
		t.Fatalf("fuzz.sh lists\n%s\nthe source has\n%s", strings.Join(listed, "\n"), strings.Join(want, "\n"))
	}
}

func types(e ast.Expr) string {
	if sel, ok := e.(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok {
			return id.Name + "." + sel.Sel.Name
		}
	}
	return ""
}
