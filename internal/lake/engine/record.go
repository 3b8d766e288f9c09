//go:build cgo

package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// record is a CloudTrail record as keytrail writes it
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
// encoding/json matches keys case-insensitively, so the lower-case tags read eventName, ARN and so on.
type record struct {
	EventVersion                 *string                    `json:"eventversion"`
	UserIdentity                 *userIdentity              `json:"useridentity"`
	EventTime                    *string                    `json:"eventtime"`
	EventSource                  *string                    `json:"eventsource"`
	EventName                    *string                    `json:"eventname"`
	AWSRegion                    *string                    `json:"awsregion"`
	SourceIPAddress              *string                    `json:"sourceipaddress"`
	UserAgent                    *string                    `json:"useragent"`
	ErrorCode                    *string                    `json:"errorcode"`
	ErrorMessage                 *string                    `json:"errormessage"`
	RequestParameters            json.RawMessage            `json:"requestparameters"`
	ResponseElements             json.RawMessage            `json:"responseelements"`
	AdditionalEventData          json.RawMessage            `json:"additionaleventdata"`
	RequestID                    *string                    `json:"requestid"`
	EventID                      *string                    `json:"eventid"`
	ReadOnly                     *bool                      `json:"readonly"`
	Resources                    []map[string]*string       `json:"resources"`
	EventType                    *string                    `json:"eventtype"`
	APIVersion                   *string                    `json:"apiversion"`
	ManagementEvent              *bool                      `json:"managementevent"`
	RecipientAccountID           *string                    `json:"recipientaccountid"`
	SharedEventID                *string                    `json:"sharedeventid"`
	Annotation                   *string                    `json:"annotation"`
	VPCEndpointID                *string                    `json:"vpcendpointid"`
	VPCEndpointAccountID         *string                    `json:"vpcendpointaccountid"`
	ServiceEventDetails          json.RawMessage            `json:"serviceeventdetails"`
	Addendum                     json.RawMessage            `json:"addendum"`
	EdgeDeviceDetails            json.RawMessage            `json:"edgedevicedetails"`
	InsightDetails               json.RawMessage            `json:"insightdetails"`
	EventCategory                *string                    `json:"eventcategory"`
	TLSDetails                   map[string]json.RawMessage `json:"tlsdetails"`
	SessionCredentialFromConsole json.RawMessage            `json:"sessioncredentialfromconsole"`
	EventContext                 *eventContext              `json:"eventcontext"`
}

// eventContext is the tag context of an event (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventConfiguration.html).
type eventContext struct {
	TagContext *struct {
		PrincipalTags json.RawMessage `json:"principaltags"`
		ResourceTags  []struct {
			ARN  *string         `json:"arn"`
			Tags json.RawMessage `json:"tags"`
		} `json:"resourcetags"`
	} `json:"tagcontext"`
}

type userIdentity struct {
	Type             *string                    `json:"type"`
	PrincipalID      *string                    `json:"principalid"`
	ARN              *string                    `json:"arn"`
	AccountID        *string                    `json:"accountid"`
	AccessKeyID      *string                    `json:"accesskeyid"`
	UserName         *string                    `json:"username"`
	SessionContext   *sessionContext            `json:"sessioncontext"`
	OnBehalfOf       map[string]json.RawMessage `json:"onbehalfof"`
	InScopeOf        map[string]json.RawMessage `json:"inscopeof"`
	InvokedBy        *string                    `json:"invokedby"`
	IdentityProvider *string                    `json:"identityprovider"`
}

type sessionContext struct {
	Attributes *struct {
		CreationDate     *string         `json:"creationdate"`
		MFAAuthenticated json.RawMessage `json:"mfaauthenticated"`
	} `json:"attributes"`
	SessionIssuer       map[string]json.RawMessage `json:"sessionissuer"`
	WebIDFederationData *struct {
		FederatedProvider *string         `json:"federatedprovider"`
		Attributes        json.RawMessage `json:"attributes"`
	} `json:"webidfederationdata"`
	SourceIdentity  json.RawMessage `json:"sourceidentity"`
	EC2RoleDelivery json.RawMessage `json:"ec2roledelivery"`
	EC2IssuedInVPC  json.RawMessage `json:"ec2issuedinvpc"`
}

// row decodes one record into the values of a store table's row, in schemaDDL's column order.
func row(raw []byte) ([]any, error) {
	var r record
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("event record: %w", err)
	}
	if r.EventTime == nil {
		return nil, fmt.Errorf("event record has no eventTime")
	}
	eventTime, err := parseTime(r.EventTime)
	if err != nil {
		return nil, err
	}
	ident, err := r.UserIdentity.value()
	if err != nil {
		return nil, err
	}
	evContext, err := r.EventContext.value()
	if err != nil {
		return nil, err
	}
	maps := make([]any, 7)
	for i, m := range []json.RawMessage{r.RequestParameters, r.ResponseElements, r.AdditionalEventData,
		r.ServiceEventDetails, r.Addendum, r.EdgeDeviceDetails, r.InsightDetails} {
		if maps[i], err = stringMap(m); err != nil {
			return nil, err
		}
	}
	return []any{
		str(r.EventVersion), ident, eventTime,
		str(r.EventSource), str(r.EventName), str(r.AWSRegion), str(r.SourceIPAddress), str(r.UserAgent),
		str(r.ErrorCode), str(r.ErrorMessage),
		maps[0], maps[1], maps[2],
		str(r.RequestID), str(r.EventID), boolean(r.ReadOnly),
		resources(r.Resources),
		str(r.EventType), str(r.APIVersion), boolean(r.ManagementEvent),
		str(r.RecipientAccountID), str(r.SharedEventID), str(r.Annotation), str(r.VPCEndpointID),
		str(r.VPCEndpointAccountID),
		maps[3], maps[4], maps[5], maps[6],
		str(r.EventCategory),
		fields(r.TLSDetails, "tlsversion", "ciphersuite", "clientprovidedhostheader"),
		jsonText(r.SessionCredentialFromConsole),
		string(raw), nil,
		evContext,
	}, nil
}

func (c *eventContext) value() (any, error) {
	if c == nil || c.TagContext == nil {
		return nil, nil
	}
	principal, err := stringMap(c.TagContext.PrincipalTags)
	if err != nil {
		return nil, err
	}
	var resources any
	if c.TagContext.ResourceTags != nil {
		list := make([]any, len(c.TagContext.ResourceTags))
		for i, rt := range c.TagContext.ResourceTags {
			tags, err := stringMap(rt.Tags)
			if err != nil {
				return nil, err
			}
			list[i] = map[string]any{"arn": str(rt.ARN), "tags": tags}
		}
		resources = list
	}
	return map[string]any{"tagcontext": map[string]any{"principaltags": principal, "resourcetags": resources}}, nil
}

func (id *userIdentity) value() (any, error) {
	if id == nil {
		return nil, nil
	}
	session, err := id.SessionContext.value()
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"type": str(id.Type), "principalid": str(id.PrincipalID), "arn": str(id.ARN),
		"accountid": str(id.AccountID), "accesskeyid": str(id.AccessKeyID), "username": str(id.UserName),
		"sessioncontext": session,
		"onbehalfof":     fields(id.OnBehalfOf, "userid", "identitystorearn"),
		"inscopeof":      fields(id.InScopeOf, "sourcearn", "sourceaccount", "issuertype", "credentiaisissuedto"),
		"invokedby":      str(id.InvokedBy), "identityprovider": str(id.IdentityProvider),
	}, nil
}

func (s *sessionContext) value() (any, error) {
	if s == nil {
		return nil, nil
	}
	var attributes, web any
	if a := s.Attributes; a != nil {
		created, err := parseTime(a.CreationDate)
		if err != nil {
			return nil, err
		}
		attributes = map[string]any{"creationdate": created, "mfaauthenticated": jsonText(a.MFAAuthenticated)}
	}
	if w := s.WebIDFederationData; w != nil {
		m, err := stringMap(w.Attributes)
		if err != nil {
			return nil, err
		}
		web = map[string]any{"federatedprovider": str(w.FederatedProvider), "attributes": m}
	}
	return map[string]any{
		"attributes":          attributes,
		"sessionissuer":       fields(s.SessionIssuer, "type", "principalid", "arn", "accountid", "username"),
		"webidfederationdata": web,
		"sourceidentity":      jsonText(s.SourceIdentity), "ec2roledelivery": jsonText(s.EC2RoleDelivery),
		"ec2issuedinvpc": jsonText(s.EC2IssuedInVPC),
	}, nil
}

func resources(rs []map[string]*string) any {
	if rs == nil {
		return nil
	}
	out := make([]any, len(rs))
	for i, r := range rs {
		lower := make(map[string]*string, len(r))
		for k, v := range r {
			lower[lowerASCII(k)] = v
		}
		out[i] = map[string]any{"accountid": str(lower["accountid"]), "type": str(lower["type"]),
			"arn": str(lower["arn"]), "arnprefix": str(lower["arnprefix"])}
	}
	return out
}

// fields makes a struct value of the named fields of a JSON object, matching keys case-insensitively.
func fields(m map[string]json.RawMessage, names ...string) any {
	if m == nil {
		return nil
	}
	lower := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		lower[lowerASCII(k)] = v
	}
	out := make(map[string]any, len(names))
	for _, n := range names {
		out[n] = jsonText(lower[n])
	}
	return out
}

// stringMap turns a JSON object into a map(varchar, varchar) value in the object's key order:
// strings as their text, null as NULL, anything else (numbers, booleans, nested objects and
// arrays) as its compact JSON text, which is how Lake's map<string,string> columns hold them.
func stringMap(raw json.RawMessage) (any, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("event record: a map field is not a JSON object")
	}
	var m duckdb.OrderedMap
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("event record: %w", err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("event record: %w", err)
		}
		key, _ := t.(string)
		m.Delete(key)
		m.Set(key, jsonText(v))
	}
	return m, nil
}

// jsonText is a JSON value as a varchar: a string's contents, NULL for null or absent, else compact JSON.
func jsonText(v json.RawMessage) any {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || bytes.Equal(v, []byte("null")) {
		return nil
	}
	if v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return string(v)
	}
	return buf.String()
}

func parseTime(s *string) (any, error) {
	if s == nil {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return nil, fmt.Errorf("event record: time %q: %w", *s, err)
	}
	return t.UTC(), nil
}

func str(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func boolean(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
