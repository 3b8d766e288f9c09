package events

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// EventVersion is the record format version keytrail writes.
const EventVersion = "1.11"

// EventID is the eventID of e in account's copy: its own ID for the first recipient, a stable
// derived ID for the others (the copies share sharedEventID).
func (e *Event) EventID(account string) string {
	if len(e.Recipients) == 0 || e.Recipients[0] == account {
		return e.ID
	}
	return derivedID(e.ID, account)
}

// SharedEventID is the sharedEventID of an event recorded for more than one account.
func (e *Event) SharedEventID() string {
	if len(e.Recipients) < 2 {
		return ""
	}
	return derivedID(e.ID, "shared")
}

func derivedID(id, salt string) string {
	sum := sha256.Sum256([]byte(id + "/" + salt))
	sum[6] = sum[6]&0x0f | 0x40
	sum[8] = sum[8]&0x3f | 0x80
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func appendTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
}

// AppendRecord appends e as account's CloudTrail record (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
func (e *Event) AppendRecord(b []byte, account string) []byte {
	b = append(b, `{"eventVersion":"`+EventVersion+`","userIdentity":`...)
	b = e.Identity.appendJSON(b)
	b = append(b, `,"eventTime":"`...)
	b = appendTime(b, e.Time)
	b = append(b, '"')
	b = appendField(b, "eventSource", e.Source)
	b = appendField(b, "eventName", e.Name)
	b = appendField(b, "awsRegion", e.Region)
	b = appendField(b, "sourceIPAddress", e.SourceIP)
	b = appendField(b, "userAgent", e.UserAgent)
	if e.ErrorCode != "" {
		b = appendField(b, "errorCode", e.ErrorCode)
		b = appendField(b, "errorMessage", e.ErrorMessage)
	} else if e.SignIn && e.ErrorMessage != "" {
		b = appendField(b, "errorMessage", e.ErrorMessage) // a failed sign-in has no errorCode
	}
	b = append(b, `,"requestParameters":`...)
	b = appendRaw(b, e.Params)
	b = append(b, `,"responseElements":`...)
	b = appendRaw(b, e.Response)
	if e.SignIn {
		b = append(b, `,"additionalEventData":`...)
		b = appendRaw(b, e.Additional)
	} else {
		b = appendField(b, "requestID", e.RequestID) // a sign-in has none
	}
	b = appendField(b, "eventID", e.EventID(account))
	b = append(b, `,"readOnly":`...)
	b = strconv.AppendBool(b, e.ReadOnly)
	if len(e.Resources) > 0 {
		b = append(b, `,"resources":[`...)
		for i, r := range e.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			if r.Account != "" {
				b = appendJSONString(append(b, `"accountId":`...), r.Account)
				b = append(b, ',')
			}
			b = appendJSONString(append(b, `"type":`...), r.Type)
			b = appendField(b, "ARN", r.ARN)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendField(b, "eventType", e.Type())
	b = append(b, `,"managementEvent":`...)
	b = strconv.AppendBool(b, e.Management)
	b = appendField(b, "recipientAccountId", account)
	if id := e.SharedEventID(); id != "" {
		b = appendField(b, "sharedEventID", id)
	}
	b = appendField(b, "eventCategory", e.Category())
	if e.TLSVersion != "" {
		b = append(b, `,"tlsDetails":{"tlsVersion":`...)
		b = appendJSONString(b, e.TLSVersion)
		b = appendField(b, "cipherSuite", e.CipherSuite)
		b = appendField(b, "clientProvidedHostHeader", e.Host)
		b = append(b, '}')
	}
	if e.Console {
		// "Shows whether or not an event originated from an AWS Management Console session. This
		// field is not shown unless the value is true" (record contents page, above).
		b = append(b, `,"sessionCredentialFromConsole":"true"`...)
	}
	return append(b, '}')
}

func appendRaw(b, raw []byte) []byte {
	if len(raw) == 0 {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

func (id *Identity) appendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = appendJSONString(b, id.Type)
	if id.Type == "AWSService" {
		b = appendField(b, "invokedBy", id.InvokedBy)
		return append(b, '}')
	}
	if id.Type == "AWSAccount" {
		b = appendField(b, "principalId", id.PrincipalID)
		b = appendField(b, "accountId", id.AccountID)
		return append(b, '}')
	}
	b = appendField(b, "principalId", id.PrincipalID)
	b = appendField(b, "arn", id.ARN)
	b = appendField(b, "accountId", id.AccountID)
	if id.AccessKeyID != "" {
		b = appendField(b, "accessKeyId", id.AccessKeyID)
	}
	if id.UserName != "" {
		b = appendField(b, "userName", id.UserName)
	}
	if id.RoleARN != "" {
		b = append(b, `,"sessionContext":{"sessionIssuer":{"type":"Role"`...)
		b = appendField(b, "principalId", id.RoleID)
		b = appendField(b, "arn", id.RoleARN)
		b = appendField(b, "accountId", id.AccountID)
		b = appendField(b, "userName", id.RoleName)
		b = append(b, `},"attributes":{"creationDate":"`...)
		b = appendTime(b, time.Unix(id.SessionIssued, 0))
		b = append(b, `","mfaAuthenticated":"false"}}`...)
	} else if id.SessionIssued != 0 {
		// A user's or root's temporary credentials (a console session): the session's attributes
		// without an issuer, as CloudTrail records them
		// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
		b = append(b, `,"sessionContext":{"attributes":{"creationDate":"`...)
		b = appendTime(b, time.Unix(id.SessionIssued, 0))
		b = append(b, `","mfaAuthenticated":"false"}}`...)
	}
	if id.InvokedBy != "" {
		b = appendField(b, "invokedBy", id.InvokedBy)
	}
	return append(b, '}')
}

// Type is the record's eventType: AwsConsoleSignIn for a console sign-in, else AwsApiCall.
func (e *Event) Type() string {
	if e.SignIn {
		return "AwsConsoleSignIn"
	}
	return "AwsApiCall"
}
