package cloudtrail_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/servicetest"
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
	docs := servicetest.DocumentedErrors(t)
	var ops []string
	for op := range ct.New(ct.Config{}).API().Operations {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		listed, ok := docs[op]
		if !ok {
			t.Errorf("%s: the doc comment lists no errors", op)
			continue
		}
		allowed := slices.Concat(model.Operations[op], commonErrors, departures[op])
		if _, ok := model.Operations[op]; !ok {
			t.Errorf("%s: not in testdata/botocore-errors.json", op)
		}
		for _, code := range listed {
			if !slices.Contains(allowed, code) {
				t.Errorf("%s lists %q, which botocore's model does not list for it", op, code)
			}
		}
		for _, d := range departures[op] {
			if !slices.Contains(listed, d) {
				t.Errorf("%s: departure %s is not in its doc comment", op, d)
			}
		}
	}
}
