package lake_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/lake"
)

// lakeDepartures are the errors a Lake operation returns where botocore's model lists none of
// the kind for it: each is named here, with why, so that no other slips in.
var lakeDepartures = map[string][]string{
	// An ImportId that names no import of the caller is refused as GetImport and StopImport
	// refuse it.
	"ListImportFailures": {"ImportNotFoundException"},
}

var errorsLine = regexp.MustCompile(`(?s)Errors:\s+(.*?)\s*\(https://[^)]*\)\.?\s*$|(?s)Errors:\s+(.*)\.\s*$`)

// Every Lake operation's doc comment lists its errors, and each is one botocore's model lists
// for the operation (testdata/botocore-errors.json, from
// botocore/data/cloudtrail/2013-11-01/service-2.json), AccessDeniedException (common to every
// operation: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/CommonErrors.html),
// or a named departure.
func TestDocumentedErrors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "botocore-errors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var model struct{ Operations map[string][]string }
	if err := json.Unmarshal(raw, &model); err != nil {
		t.Fatal(err)
	}
	docs := methodDocs(t)
	var ops []string
	for op := range lake.New(lake.Config{}).Operations() {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		m := errorsLine.FindStringSubmatch(docs[op])
		if m == nil {
			t.Errorf("%s: the doc comment lists no errors", op)
			continue
		}
		if _, ok := model.Operations[op]; !ok {
			t.Errorf("%s: not in testdata/botocore-errors.json", op)
		}
		allowed := slices.Concat(model.Operations[op], []string{"AccessDeniedException"}, lakeDepartures[op])
		listed := m[1] + m[2]
		listed = regexp.MustCompile(`\s*\([^)]*\)`).ReplaceAllString(listed, "")
		for _, code := range strings.Split(listed, ",") {
			code = strings.Join(strings.Fields(code), " ")
			if !strings.HasSuffix(code, "Exception") {
				t.Errorf("%s: %q in its Errors line is not an error code", op, code)
			}
			if !slices.Contains(allowed, code) {
				t.Errorf("%s lists %q, which botocore's model does not list for it", op, code)
			}
		}
	}
}

// methodDocs are the doc comments of the Service's methods, by name.
func methodDocs(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{}
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
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv != nil && fn.Doc != nil {
				docs[fn.Name.Name] = fn.Doc.Text()
			}
		}
	}
	return docs
}
