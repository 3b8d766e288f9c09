package lake_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// lakeDepartures are the errors a Lake operation returns where botocore's model lists none of
// the kind for it: each is named here, with why, so that no other slips in.
var lakeDepartures = map[string][]string{
	// An ImportId that names no import of the caller is refused as GetImport and StopImport
	// refuse it.
	"ListImportFailures": {"ImportNotFoundException"},
}

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
	docs := servicetest.DocumentedErrors(t)
	var ops []string
	for op := range lake.New(lake.Config{}).Operations() {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		listed, ok := docs[op]
		if !ok {
			t.Errorf("%s: the doc comment lists no errors", op)
			continue
		}
		if _, ok := model.Operations[op]; !ok {
			t.Errorf("%s: not in testdata/botocore-errors.json", op)
		}
		allowed := slices.Concat(model.Operations[op], []string{"AccessDeniedException"}, lakeDepartures[op])
		for _, code := range listed {
			if !strings.HasSuffix(code, "Exception") {
				t.Errorf("%s: %q in its Errors line is not an error code", op, code)
			}
			if !slices.Contains(allowed, code) {
				t.Errorf("%s lists %q, which botocore's model does not list for it", op, code)
			}
		}
	}
}
