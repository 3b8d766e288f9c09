package cloudtrail

import (
	"context"
	"strconv"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/events"
)

const invalidEventSelectors awserr.Code = "InvalidEventSelectorsException"

// EventSelector is a basic event selector: management events read, written or both, and the
// data events of the resources named.
type EventSelector struct {
	ReadWriteType                 string         `json:"ReadWriteType,omitempty"`
	IncludeManagementEvents       *bool          `json:"IncludeManagementEvents,omitempty"`
	DataResources                 []DataResource `json:"DataResources"`
	ExcludeManagementEventSources []string       `json:"ExcludeManagementEventSources"`
}

// DataResource names resources whose data events a basic selector logs.
type DataResource struct {
	Type   string   `json:"Type,omitempty"`
	Values []string `json:"Values,omitempty"`
}

// AdvancedEventSelector logs the events every one of its field selectors matches.
type AdvancedEventSelector struct {
	Name           string                  `json:"Name,omitempty"`
	FieldSelectors []AdvancedFieldSelector `json:"FieldSelectors"`
}

// AdvancedFieldSelector is a condition on one field of an event.
type AdvancedFieldSelector struct {
	Field         string   `json:"Field"`
	Equals        []string `json:"Equals,omitempty"`
	StartsWith    []string `json:"StartsWith,omitempty"`
	EndsWith      []string `json:"EndsWith,omitempty"`
	NotEquals     []string `json:"NotEquals,omitempty"`
	NotStartsWith []string `json:"NotStartsWith,omitempty"`
	NotEndsWith   []string `json:"NotEndsWith,omitempty"`
}

// PutEventSelectorsInput is PutEventSelectors' request.
type PutEventSelectorsInput struct {
	TrailName              string                  `json:"TrailName"`
	EventSelectors         []EventSelector         `json:"EventSelectors"`
	AdvancedEventSelectors []AdvancedEventSelector `json:"AdvancedEventSelectors"`
}

// EventSelectorsOutput is PutEventSelectors' and GetEventSelectors' response.
type EventSelectorsOutput struct {
	TrailARN               string                  `json:"TrailARN"`
	EventSelectors         []EventSelector         `json:"EventSelectors,omitempty"`
	AdvancedEventSelectors []AdvancedEventSelector `json:"AdvancedEventSelectors,omitempty"`
}

// GetEventSelectorsInput is GetEventSelectors' request.
type GetEventSelectorsInput struct {
	TrailName string `json:"TrailName"`
}

// The limits of event selectors (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html).
const (
	maxEventSelectors     = 5
	maxDataResourceValues = 250
	maxAdvancedSelectors  = 500 // conditions across all advanced selectors
)

// dataResourceTypes are the basic selectors' data resource types; keytrail serves S3 alone, so
// the others are accepted and match nothing.
var dataResourceTypes = map[string]bool{"AWS::S3::Object": true, "AWS::Lambda::Function": true, "AWS::DynamoDB::Table": true}

var advancedFields = map[string]bool{"eventCategory": true, "eventSource": true, "eventName": true, "eventType": true,
	"readOnly": true, "resources.type": true, "resources.ARN": true, "userIdentity.arn": true, "errorCode": true,
	"sessionCredentialFromConsole": true}

func boolValue(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func badSelectors(format string, args ...any) error {
	return awserr.New(invalidEventSelectors, format, args...)
}

// checkSelectors validates basic selectors and fills their defaults.
func checkSelectors(sel []EventSelector) error {
	if len(sel) > maxEventSelectors {
		return badSelectors("You can have at most %d event selectors on a trail.", maxEventSelectors)
	}
	values := 0
	for i := range sel {
		s := &sel[i]
		switch s.ReadWriteType {
		case "":
			s.ReadWriteType = "All"
		case "All", "ReadOnly", "WriteOnly":
		default:
			return badSelectors("Value %s for parameter ReadWriteType is invalid.", s.ReadWriteType)
		}
		if s.IncludeManagementEvents == nil {
			t := true
			s.IncludeManagementEvents = &t
		}
		if s.DataResources == nil {
			s.DataResources = []DataResource{}
		}
		if s.ExcludeManagementEventSources == nil {
			s.ExcludeManagementEventSources = []string{}
		}
		for _, src := range s.ExcludeManagementEventSources {
			if src != "kms.amazonaws.com" && src != "rdsdata.amazonaws.com" {
				return badSelectors("Value %s for ExcludeManagementEventSources is invalid.", src)
			}
		}
		if !*s.IncludeManagementEvents && len(s.DataResources) == 0 {
			return badSelectors("Invalid combination of parameters in EventSelectors. When includeManagementEvents is false, DataResources must not be empty.")
		}
		for _, d := range s.DataResources {
			if !dataResourceTypes[d.Type] {
				return badSelectors("Value %s for parameter DataResources.Type is invalid.", d.Type)
			}
			for _, v := range d.Values {
				values++
				// Values are ARNs or ARN prefixes: no wildcards.
				if strings.Contains(v, "*") || d.Type == "AWS::S3::Object" && v != "arn:aws:s3" && !strings.HasPrefix(v, "arn:aws:s3:::") {
					return badSelectors("Value %s for DataResources.Values is invalid.", v)
				}
			}
		}
	}
	if values > maxDataResourceValues {
		return badSelectors("Specify a valid number of DataResources.Values (0 to %d) for all your selectors.", maxDataResourceValues)
	}
	return nil
}

// checkAdvanced validates advanced selectors.
func checkAdvanced(sel []AdvancedEventSelector) error {
	conditions := 0
	for _, s := range sel {
		if len(s.FieldSelectors) == 0 {
			return badSelectors("Each advanced event selector needs at least one field selector.")
		}
		category := ""
		hasType := false
		for _, f := range s.FieldSelectors {
			if !advancedFields[f.Field] {
				return badSelectors("Field %s is not a valid advanced event selector field.", f.Field)
			}
			n := len(f.Equals) + len(f.StartsWith) + len(f.EndsWith) + len(f.NotEquals) + len(f.NotStartsWith) + len(f.NotEndsWith)
			if n == 0 {
				return badSelectors("The field selector for %s names no condition.", f.Field)
			}
			conditions += n
			switch f.Field {
			case "eventCategory":
				if len(f.Equals) != 1 {
					return badSelectors("eventCategory must be given as exactly one Equals value.")
				}
				category = f.Equals[0]
			case "resources.type":
				hasType = true
			}
		}
		switch category {
		case "Management":
		case "Data":
			if !hasType {
				return badSelectors("An advanced event selector for data events must name resources.type.")
			}
		case "":
			return badSelectors("Each advanced event selector must have an eventCategory field selector.")
		default:
			return badSelectors("Value %s for eventCategory is invalid.", category)
		}
	}
	if conditions > maxAdvancedSelectors {
		return badSelectors("You can have at most %d conditions across a trail's advanced event selectors.", maxAdvancedSelectors)
	}
	return nil
}

// PutEventSelectors sets a trail's basic or advanced event selectors, from its home region.
// Authorized by identity policies (cloudtrail:PutEventSelectors). Errors:
// TrailNotProvidedException, InvalidParameterCombinationException (both kinds, or neither),
// InvalidEventSelectorsException, InvalidTrailNameException, CloudTrailARNInvalidException,
// TrailNotFoundException, InvalidHomeRegionException, AccessDeniedException.
func (s *Service) PutEventSelectors(ctx context.Context, in *PutEventSelectorsInput) (*EventSelectorsOutput, error) {
	switch {
	case in.TrailName == "":
		return nil, awserr.New(trailNotProvided, "Trail name is required.")
	case in.EventSelectors != nil && in.AdvancedEventSelectors != nil:
		return nil, awserr.New(invalidParameterCombination, "You cannot apply both EventSelectors and AdvancedEventSelectors to a trail.")
	case in.EventSelectors == nil && in.AdvancedEventSelectors == nil:
		return nil, awserr.New(invalidParameterCombination, "You must specify EventSelectors or AdvancedEventSelectors.")
	}
	if err := checkSelectors(in.EventSelectors); err != nil {
		return nil, err
	}
	if err := checkAdvanced(in.AdvancedEventSelectors); err != nil {
		return nil, err
	}
	t, err := s.change(ctx, "PutEventSelectors", in.TrailName, func(t *trailRecord) {
		t.EventSelectors, t.AdvancedEventSelectors = in.EventSelectors, in.AdvancedEventSelectors
	})
	if err != nil {
		return nil, err
	}
	return &EventSelectorsOutput{TrailARN: t.ARN(), EventSelectors: in.EventSelectors, AdvancedEventSelectors: in.AdvancedEventSelectors}, nil
}

// GetEventSelectors returns a trail's selectors: the default (all management events) when it
// has none of its own. Authorized by identity policies (cloudtrail:GetEventSelectors).
// Errors: TrailNotProvidedException, InvalidTrailNameException, CloudTrailARNInvalidException,
// TrailNotFoundException, AccessDeniedException.
func (s *Service) GetEventSelectors(ctx context.Context, in *GetEventSelectorsInput) (*EventSelectorsOutput, error) {
	if in.TrailName == "" {
		return nil, awserr.New(trailNotProvided, "Trail name is required.")
	}
	t, err := s.read(ctx, "GetEventSelectors", in.TrailName)
	if err != nil {
		return nil, err
	}
	out := &EventSelectorsOutput{TrailARN: t.ARN(), EventSelectors: t.EventSelectors, AdvancedEventSelectors: t.AdvancedEventSelectors}
	if out.EventSelectors == nil && out.AdvancedEventSelectors == nil {
		out.EventSelectors = defaultSelectors()
	}
	return out, nil
}

func defaultSelectors() []EventSelector {
	t := true
	return []EventSelector{{ReadWriteType: "All", IncludeManagementEvents: &t, DataResources: []DataResource{}, ExcludeManagementEventSources: []string{}}}
}

// wants reports whether the trail's selectors log e.
func (t *trailRecord) wants(e *events.Event) bool {
	if len(t.AdvancedEventSelectors) > 0 {
		for i := range t.AdvancedEventSelectors {
			if advancedMatch(&t.AdvancedEventSelectors[i], e) {
				return true
			}
		}
		return false
	}
	sel := t.EventSelectors
	if sel == nil {
		return e.Management
	}
	for i := range sel {
		if basicMatch(&sel[i], e) {
			return true
		}
	}
	return false
}

func readWrite(rw string, readOnly bool) bool {
	switch rw {
	case "ReadOnly":
		return readOnly
	case "WriteOnly":
		return !readOnly
	}
	return true
}

func basicMatch(s *EventSelector, e *events.Event) bool {
	if !readWrite(s.ReadWriteType, e.ReadOnly) {
		return false
	}
	if e.Management {
		if !boolValue(s.IncludeManagementEvents, true) {
			return false
		}
		for _, src := range s.ExcludeManagementEventSources {
			if src == e.Source {
				return false
			}
		}
		return true
	}
	for _, d := range s.DataResources {
		if d.Type != "AWS::S3::Object" || e.Source != "s3.amazonaws.com" {
			continue
		}
		for _, v := range d.Values {
			if v == "arn:aws:s3" || v == "arn:aws:s3:::" {
				return true
			}
			if !strings.HasSuffix(v, "/") && !strings.Contains(strings.TrimPrefix(v, "arn:aws:s3:::"), "/") {
				v += "/"
			}
			for _, arn := range dataARNs(e) {
				if strings.HasPrefix(arn, v) {
					return true
				}
			}
		}
	}
	return false
}

// dataARNs are the ARNs a data event's resources match as: its objects' ARNs, or for a
// bucket-level data call (a listing), the bucket's ARN with a slash.
func dataARNs(e *events.Event) []string {
	var objs, buckets []string
	for _, r := range e.Resources {
		switch r.Type {
		case "AWS::S3::Object":
			objs = append(objs, r.ARN)
		case "AWS::S3::Bucket":
			buckets = append(buckets, r.ARN+"/")
		}
	}
	if len(objs) > 0 {
		return objs
	}
	return buckets
}

// MatchesAdvanced reports whether any of the advanced selectors sel takes e: the matching
// trails and CloudTrail Lake's event data stores share
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedEventSelector.html).
func MatchesAdvanced(sel []AdvancedEventSelector, e *events.Event) bool {
	for i := range sel {
		if advancedMatch(&sel[i], e) {
			return true
		}
	}
	return false
}

func advancedMatch(s *AdvancedEventSelector, e *events.Event) bool {
	for i := range s.FieldSelectors {
		if !fieldMatch(&s.FieldSelectors[i], e) {
			return false
		}
	}
	return true
}

// fieldValues are an event's values of an advanced selector field.
func fieldValues(field string, e *events.Event) []string {
	switch field {
	case "eventCategory":
		return []string{e.Category()}
	case "eventSource":
		return []string{e.Source}
	case "eventName":
		return []string{e.Name}
	case "eventType":
		return []string{e.Type()}
	case "readOnly":
		if e.ReadOnly {
			return []string{"true"}
		}
		return []string{"false"}
	case "resources.type":
		if !e.Management && e.Source == "s3.amazonaws.com" {
			return []string{"AWS::S3::Object"}
		}
		var out []string
		for _, r := range e.Resources {
			out = append(out, r.Type)
		}
		return out
	case "resources.ARN":
		if !e.Management {
			return dataARNs(e)
		}
		var out []string
		for _, r := range e.Resources {
			out = append(out, r.ARN)
		}
		return out
	case "userIdentity.arn":
		return []string{e.Identity.ARN}
	case "errorCode":
		return []string{e.ErrorCode}
	case "sessionCredentialFromConsole":
		return []string{strconv.FormatBool(e.Console)}
	}
	return nil
}

// fieldMatch: a positive operator matches when any value matches any of its patterns; a negative
// operator matches when no value matches any of its patterns; all operators given must match.
func fieldMatch(f *AdvancedFieldSelector, e *events.Event) bool {
	vals := fieldValues(f.Field, e)
	anyMatches := func(patterns []string, op func(v, p string) bool) bool {
		for _, v := range vals {
			for _, p := range patterns {
				if op(v, p) {
					return true
				}
			}
		}
		return false
	}
	eq := func(v, p string) bool { return v == p }
	if len(f.Equals) > 0 && !anyMatches(f.Equals, eq) ||
		len(f.StartsWith) > 0 && !anyMatches(f.StartsWith, strings.HasPrefix) ||
		len(f.EndsWith) > 0 && !anyMatches(f.EndsWith, strings.HasSuffix) ||
		len(f.NotEquals) > 0 && anyMatches(f.NotEquals, eq) ||
		len(f.NotStartsWith) > 0 && anyMatches(f.NotStartsWith, strings.HasPrefix) ||
		len(f.NotEndsWith) > 0 && anyMatches(f.NotEndsWith, strings.HasSuffix) {
		return false
	}
	return true
}
