package cloudtrail

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
)

// lookupRetention is how far back LookupEvents sees (the last 90 days: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
const lookupRetention = 90 * 24 * time.Hour

const (
	invalidLookupAttributes awserr.Code = "InvalidLookupAttributesException"
	invalidTimeRange        awserr.Code = "InvalidTimeRangeException"
	invalidMaxResults       awserr.Code = "InvalidMaxResultsException"
	invalidEventCategory    awserr.Code = "InvalidEventCategoryException"
)

// LookupAttribute is a LookupEvents filter.
type LookupAttribute struct {
	AttributeKey   string `json:"AttributeKey"`
	AttributeValue string `json:"AttributeValue"`
}

// LookupEventsInput is LookupEvents' request.
type LookupEventsInput struct {
	LookupAttributes []LookupAttribute `json:"LookupAttributes"`
	StartTime        *awsjson.Time     `json:"StartTime"`
	EndTime          *awsjson.Time     `json:"EndTime"`
	EventCategory    string            `json:"EventCategory"`
	MaxResults       *int              `json:"MaxResults"`
	NextToken        string            `json:"NextToken"`
}

// LookupResource is a resource of a LookupEvents event.
type LookupResource struct {
	ResourceType string `json:"ResourceType,omitempty"`
	ResourceName string `json:"ResourceName,omitempty"`
}

// LookupEvent is an event as LookupEvents returns it.
type LookupEvent struct {
	EventID         string           `json:"EventId"`
	EventName       string           `json:"EventName"`
	ReadOnly        string           `json:"ReadOnly"`
	AccessKeyID     string           `json:"AccessKeyId,omitempty"`
	EventTime       awsjson.Time     `json:"EventTime"`
	EventSource     string           `json:"EventSource"`
	Username        string           `json:"Username,omitempty"`
	Resources       []LookupResource `json:"Resources"`
	CloudTrailEvent string           `json:"CloudTrailEvent"`
}

// LookupEventsOutput is LookupEvents' response.
type LookupEventsOutput struct {
	Events    []LookupEvent `json:"Events"`
	NextToken string        `json:"NextToken,omitempty"`
}

var lookupKeys = map[string]bool{"EventId": true, "EventName": true, "ReadOnly": true, "Username": true,
	"ResourceType": true, "ResourceName": true, "EventSource": true, "AccessKeyId": true}

// username is the Username LookupEvents shows for an event's caller.
func username(e *events.Event) string {
	switch e.Identity.Type {
	case "Root":
		return "root"
	case "IAMUser":
		return e.Identity.UserName
	case "AssumedRole":
		if i := strings.LastIndexByte(e.Identity.ARN, '/'); i >= 0 {
			return e.Identity.ARN[i+1:]
		}
	case "AWSService":
		return e.Identity.InvokedBy
	}
	return ""
}

func matchAttribute(a LookupAttribute, e *events.Event, account string) bool {
	v := a.AttributeValue
	switch a.AttributeKey {
	case "EventId":
		return e.EventID(account) == v
	case "EventName":
		return e.Name == v
	case "ReadOnly":
		return strconv.FormatBool(e.ReadOnly) == v
	case "Username":
		return username(e) == v
	case "EventSource":
		return e.Source == v
	case "AccessKeyId":
		return e.Identity.AccessKeyID == v
	case "ResourceType", "ResourceName":
		for _, r := range e.Resources {
			if a.AttributeKey == "ResourceType" && r.Type == v || a.AttributeKey == "ResourceName" && r.ARN == v {
				return true
			}
		}
	}
	return false
}

// lookupToken is a NextToken: where the scan goes on, bound to the query that made it.
func lookupToken(seq uint64, query [8]byte) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], seq)
	copy(b[8:], query[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func queryHash(account, region string, in *LookupEventsInput) [8]byte {
	h := sha256.New()
	h.Write([]byte(account + "\x00" + region + "\x00" + in.EventCategory))
	for _, t := range []*awsjson.Time{in.StartTime, in.EndTime} {
		if t != nil {
			h.Write([]byte("\x00" + time.Time(*t).Format(time.RFC3339Nano)))
		} else {
			h.Write([]byte("\x00-"))
		}
	}
	for _, a := range in.LookupAttributes {
		h.Write([]byte("\x00" + a.AttributeKey + "\x00" + a.AttributeValue))
	}
	var out [8]byte
	copy(out[:], h.Sum(nil))
	return out
}

// LookupEvents returns the caller's account's management events in the caller's region (and
// global service events in us-east-1) of the last 90 days, newest first. Authorized by identity
// policies (cloudtrail:LookupEvents). Errors: InvalidMaxResultsException,
// InvalidLookupAttributesException, InvalidEventCategoryException, InvalidTimeRangeException,
// InvalidNextTokenException, AccessDeniedException.
func (s *Service) LookupEvents(ctx context.Context, in *LookupEventsInput) (*LookupEventsOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	limit := 50
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 50 {
			return nil, awserr.New(invalidMaxResults, "Value %d for MaxResults is invalid: it must be between 1 and 50.", *in.MaxResults)
		}
		limit = *in.MaxResults
	}
	if len(in.LookupAttributes) > 1 {
		return nil, awserr.New(invalidLookupAttributes, "You can specify only one lookup attribute.")
	}
	for _, a := range in.LookupAttributes {
		if !lookupKeys[a.AttributeKey] {
			return nil, awserr.New(invalidLookupAttributes, "Value %s for AttributeKey is invalid.", a.AttributeKey)
		}
		if a.AttributeValue == "" || len(a.AttributeValue) > 2000 {
			return nil, awserr.New(invalidLookupAttributes, "AttributeValue must be 1 to 2000 characters long.")
		}
	}
	if in.EventCategory != "" && in.EventCategory != "insight" {
		return nil, awserr.New(invalidEventCategory, "Value %s for EventCategory is invalid.", in.EventCategory)
	}
	now := s.now().UTC()
	start, end := now.Add(-lookupRetention), now
	if in.StartTime != nil && time.Time(*in.StartTime).After(start) {
		start = time.Time(*in.StartTime)
	}
	if in.EndTime != nil {
		end = time.Time(*in.EndTime)
	}
	if in.StartTime != nil && in.EndTime != nil && time.Time(*in.StartTime).After(end) {
		return nil, awserr.New(invalidTimeRange, "Start time must be before end time.")
	}
	if err := s.authorize(c, "LookupEvents", "*"); err != nil {
		return nil, err
	}
	query := queryHash(c.p.Account, c.region, in)
	before := s.journal.Next()
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil || len(b) != 16 || [8]byte(b[8:]) != query {
			return nil, awserr.New(invalidNextToken, "Invalid NextToken.")
		}
		before = binary.BigEndian.Uint64(b[:8])
	}
	out := &LookupEventsOutput{Events: []LookupEvent{}}
	if in.EventCategory == "insight" {
		return out, nil // keytrail has no Insights events
	}
	var buf []byte
	err = s.journal.ScanBackward(before, start, func(e *events.Event) error {
		if !e.Management || !e.For(c.p.Account) || e.Time.After(end) {
			return nil
		}
		region := e.Region
		if region != c.region {
			return nil
		}
		if len(in.LookupAttributes) > 0 && !matchAttribute(in.LookupAttributes[0], e, c.p.Account) {
			return nil
		}
		if len(out.Events) == limit {
			out.NextToken = lookupToken(e.Seq+1, query)
			return events.ErrStop
		}
		buf = e.AppendRecord(buf[:0], c.p.Account)
		le := LookupEvent{EventID: e.EventID(c.p.Account), EventName: e.Name, ReadOnly: strconv.FormatBool(e.ReadOnly),
			AccessKeyID: e.Identity.AccessKeyID, EventTime: awsjson.Time(e.Time), EventSource: e.Source, Username: username(e),
			Resources: []LookupResource{}, CloudTrailEvent: string(buf)}
		for _, r := range e.Resources {
			le.Resources = append(le.Resources, LookupResource{ResourceType: r.Type, ResourceName: r.ARN})
		}
		out.Events = append(out.Events, le)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
