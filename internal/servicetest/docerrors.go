package servicetest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	errorsLine = regexp.MustCompile(`(?s)Errors:\s+(.*)\.\s*$`)
	aside      = regexp.MustCompile(`\s*\([^)]*\)`)
)

// DocumentedErrors reads the package in the current directory (a test's own) and returns, for
// each method whose doc comment ends with "Errors: A, B (why), C." — asides in parentheses, such
// as the API page's address, dropped — the codes it lists, in order. A method whose comment lists
// no errors is absent.
func DocumentedErrors(t testing.TB) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Doc == nil {
				continue
			}
			m := errorsLine.FindStringSubmatch(fn.Doc.Text())
			if m == nil {
				continue
			}
			var codes []string
			for _, code := range strings.Split(aside.ReplaceAllString(m[1], ""), ",") {
				codes = append(codes, strings.Join(strings.Fields(code), " "))
			}
			out[fn.Name.Name] = codes
		}
	}
	return out
}
