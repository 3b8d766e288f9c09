package cloudtrail_test

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

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
)

// commonErrors are the errors every CloudTrail operation may return
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/CommonErrors.html).
var commonErrors = []string{"AccessDeniedException"}

// departures are the errors keytrail returns where botocore's model lists none of the kind for
// the operation: each is named here, with why, so that no other slips in.
var departures = map[string][]string{
	// An empty Name is refused as CreateTrail and UpdateTrail refuse it.
	"DeleteTrail": {"TrailNotProvidedException"}, "StartLogging": {"TrailNotProvidedException"},
	"StopLogging": {"TrailNotProvidedException"}, "GetTrail": {"TrailNotProvidedException"},
	"GetTrailStatus": {"TrailNotProvidedException"}, "DescribeTrails": {"TrailNotProvidedException"},
	"GetEventSelectors": {"TrailNotProvidedException"},
	// PutEventSelectors also refuses both kinds of selectors, or neither, as UpdateTrail refuses
	// combinations.
	"PutEventSelectors": {"TrailNotProvidedException", "InvalidParameterCombinationException"},
	// keytrail answers in one page: a NextToken it did not issue is refused as LookupEvents
	// refuses one; more than 20 ARNs as the page's "The list has a limit of 20 ARNs" says.
	"ListTrails": {"InvalidNextTokenException"},
	"ListTags":   {"InvalidNextTokenException", "InvalidParameterException"},
}

var errorsLine = regexp.MustCompile(`(?s)Errors:\s+(.*)\.\s*$`)

// Every CloudTrail operation's doc comment lists its errors, and each is one botocore's model
// lists for the operation (testdata/botocore-errors.json, from
// botocore/data/cloudtrail/2013-11-01/service-2.json), a common error, or a named departure.
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
	for op := range ct.New(ct.Config{}).API().Operations {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		m := errorsLine.FindStringSubmatch(docs[op])
		if m == nil {
			t.Errorf("%s: the doc comment lists no errors", op)
			continue
		}
		allowed := slices.Concat(model.Operations[op], commonErrors, departures[op])
		if _, ok := model.Operations[op]; !ok {
			t.Errorf("%s: not in testdata/botocore-errors.json", op)
		}
		listed := regexp.MustCompile(`\s*\([^)]*\)`).ReplaceAllString(m[1], "")
		for _, code := range strings.Split(listed, ",") {
			code = strings.Join(strings.Fields(code), " ")
			if !slices.Contains(allowed, code) {
				t.Errorf("%s lists %q, which botocore's model does not list for it", op, code)
			}
		}
		for _, d := range departures[op] {
			if !strings.Contains(listed, d) {
				t.Errorf("%s: departure %s is not in its doc comment", op, d)
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
