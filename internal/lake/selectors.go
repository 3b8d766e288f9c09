package lake

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/keytrail/keytrail/internal/awserr"
)

// The limits of a store's advanced event selectors
// (AdvancedEventSelectors in https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateEventDataStore.html;
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html).
const (
	maxSelectors  = 5
	maxConditions = 500 // values across all the selectors' conditions
)

// defaultSelectors are the selectors of a store created without any: all management events
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-event-data-store-cloudtrail.html).
func defaultSelectors() []AdvancedEventSelector {
	return []AdvancedEventSelector{{Name: "Default management events",
		FieldSelectors: []AdvancedFieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}}}}
}

// storeFields are the fields a CloudTrail-events store's selectors may name
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html).
var storeFields = map[string]bool{"eventCategory": true, "eventSource": true, "eventName": true, "eventType": true,
	"readOnly": true, "resources.type": true, "resources.ARN": true, "userIdentity.arn": true, "errorCode": true,
	"sessionCredentialFromConsole": true, "vpcEndpointId": true}

// equalsOnly are the fields whose only operator is Equals.
var equalsOnly = map[string]bool{"eventCategory": true, "readOnly": true, "resources.type": true}

// storeCategories are the event categories of a store of CloudTrail events, the kind keytrail
// ingests (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-event-data-store.html).
var storeCategories = []string{"Management", "Data", "NetworkActivity"}

func badSelectors(format string, args ...any) error {
	return awserr.New(invalidEventSelectors, format, args...)
}

// checkSelectors validates a store's advanced event selectors and returns them, or the default
// selector when there are none.
func checkSelectors(sel []AdvancedEventSelector) ([]AdvancedEventSelector, error) {
	if len(sel) == 0 {
		return defaultSelectors(), nil
	}
	if len(sel) > maxSelectors {
		return nil, badSelectors("An event data store can have at most %d advanced event selectors; %d were given.", maxSelectors, len(sel))
	}
	conditions := 0
	for _, s := range sel {
		n, err := checkSelector(s)
		if err != nil {
			return nil, err
		}
		conditions += n
	}
	if conditions > maxConditions {
		return nil, badSelectors("An event data store's advanced event selectors can have at most %d values across all conditions; %d were given.", maxConditions, conditions)
	}
	return slices.Clone(sel), nil
}

// checkSelector validates one selector and returns its number of condition values.
func checkSelector(s AdvancedEventSelector) (int, error) {
	if len(s.FieldSelectors) == 0 {
		return 0, badSelectors("Each advanced event selector needs at least one field selector.")
	}
	conditions, category := 0, ""
	for _, f := range s.FieldSelectors {
		if !storeFields[f.Field] {
			return 0, badSelectors("Field %s is not a valid advanced event selector field.", f.Field)
		}
		ops := [][]string{f.Equals, f.StartsWith, f.EndsWith, f.NotEquals, f.NotStartsWith, f.NotEndsWith}
		n := 0
		for _, op := range ops {
			for _, v := range op {
				if v == "" || utf8.RuneCountInString(v) > 2048 {
					return 0, badSelectors("Values of field %s must be 1 to 2048 characters.", f.Field)
				}
			}
			n += len(op)
		}
		if n == 0 {
			return 0, badSelectors("The field selector for %s names no condition.", f.Field)
		}
		if equalsOnly[f.Field] && n != len(f.Equals) {
			return 0, badSelectors("Equals is the only operator of field %s.", f.Field)
		}
		conditions += n
		if f.Field == "eventCategory" {
			if len(f.Equals) != 1 {
				return 0, badSelectors("eventCategory must be given as exactly one Equals value.")
			}
			category = f.Equals[0]
		}
	}
	switch {
	case category == "":
		return 0, badSelectors("Each advanced event selector must have an eventCategory field selector.")
	case !slices.Contains(storeCategories, category):
		return 0, badSelectors("Value %s for eventCategory is invalid: keytrail's event data stores hold CloudTrail events (%s).", category, strings.Join(storeCategories, ", "))
	case category != "Management" && !slices.ContainsFunc(s.FieldSelectors, func(f AdvancedFieldSelector) bool { return f.Field == "resources.type" }):
		return 0, badSelectors("An advanced event selector for %s events must name resources.type.", category)
	}
	return conditions, nil
}
