package model

import (
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
)

// rule says how a service answers the violations at or under one member of an operation's
// input, where AWS answers them with a specific exception rather than the generic code.
type rule struct {
	operation string // "" for every operation
	path      string // the member path prefix, e.g. "tagsList"
	// code answers the violation; "" leaves it to the service, which checks the member itself
	// and answers with its own message.
	code awserr.Code
}

// rules are the per-service departures from the generic validation code, after the AWS API
// references' error lists:
//   - CloudTrail answers a missing trail name, bucket or resource with its own exceptions
//     (TrailNotProvidedException, …) and LookupEvents' MaxResults, LookupAttributes and
//     EventCategory with InvalidMaxResultsException, InvalidLookupAttributesException and
//     InvalidEventCategoryException
//     (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html);
//     the service checks those itself. Tags break with InvalidTagParameterException ("the
//     specified tag key or values are not valid") and event selectors with
//     InvalidEventSelectorsException
//     (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html).
var rules = map[string][]rule{
	"cloudtrail": {
		{operation: "LookupEvents", path: "maxResults"},
		{operation: "LookupEvents", path: "lookupAttributes"},
		{operation: "LookupEvents", path: "eventCategory"},
		{path: "tagsList", code: "InvalidTagParameterException"},
		{path: "eventSelectors", code: "InvalidEventSelectorsException"},
		{path: "advancedEventSelectors", code: "InvalidEventSelectorsException"},
	},
}

// selfRequired are the services that answer a missing top-level member themselves.
var selfRequired = map[string]bool{"cloudtrail": true}

// answer returns the code a violation is answered with ("" for the service's generic code) and
// whether the validation answers it at all.
func answer(service, operation string, v Violation) (awserr.Code, bool) {
	if v.Null && selfRequired[service] && !strings.Contains(v.Path, ".") {
		return "", false
	}
	for _, r := range rules[service] {
		if r.operation != "" && r.operation != operation {
			continue
		}
		if v.Path == r.path || strings.HasPrefix(v.Path, r.path+".") {
			return r.code, r.code != ""
		}
	}
	return "", true
}
