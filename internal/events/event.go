// Package events is CloudTrail's record of every API call: the Event each call becomes, the
// persistent journal events wait in until trails deliver them (and LookupEvents reads them), and
// the rendering of an event as a CloudTrail record (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html), with no secret ever in it.
package events

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/keytrail/keytrail/internal/request"
)

// Identity is a record's userIdentity.
type Identity struct {
	Type        string // Root, IAMUser, AssumedRole, AWSService, AWSAccount
	PrincipalID string
	ARN         string
	AccountID   string
	AccessKeyID string
	UserName    string
	InvokedBy   string
	// Role sessions: the issuer and when the session began.
	RoleARN, RoleID, RoleName string
	SessionIssued             int64 // Unix seconds
}

// Event is one recorded API call.
type Event struct {
	Seq       uint64 // its place in the journal
	Time      time.Time
	ID        string // eventID
	RequestID string
	Source    string // eventSource, e.g. kms.amazonaws.com
	Name      string // eventName
	Region    string
	SourceIP  string
	UserAgent string

	ErrorCode, ErrorMessage string

	ReadOnly   bool
	Management bool // a management event (else a data event)
	Delivery   bool // caused by CloudTrail delivering log files
	Global     bool // a global service's event (IAM): trails take it only when they include them
	Console    bool // signed with a console session's credentials (sessionCredentialFromConsole)
	// SignIn marks a console sign-in (eventType AwsConsoleSignIn, not AwsApiCall), whose record
	// carries Additional as its additionalEventData
	// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html).
	SignIn     bool
	Additional []byte

	Identity   Identity
	Recipients []string // the accounts whose trails get it: the caller's and the resource owner's
	Resources  []request.Resource

	// requestParameters and responseElements exactly as the record shows them (secrets
	// already out); empty is null.
	Params, Response []byte

	TLSVersion, CipherSuite, Host string
}

// Category is the record's eventCategory.
func (e *Event) Category() string {
	if e.Management {
		return "Management"
	}
	return "Data"
}

// For reports whether account is one of the event's recipients.
func (e *Event) For(account string) bool {
	for _, a := range e.Recipients {
		if a == account {
			return true
		}
	}
	return false
}

const (
	flagReadOnly = 1 << iota
	flagManagement
	flagDelivery
	flagGlobal
	flagConsole
	flagSignIn
)

// encodingVersion leads every encoded event, so the journal format can change. Version 2 added
// flagGlobal; a version 1 event is global when it is IAM's, the one global service keytrail
// served when version 1 was written. Version 3 added flagSignIn, after whose event the
// additionalEventData follows.
const encodingVersion = 3

// AppendBinary appends the event's journal encoding to b.
func (e *Event) AppendBinary(b []byte) []byte {
	b = append(b, encodingVersion)
	b = binary.LittleEndian.AppendUint64(b, e.Seq) // fixed width: the journal stamps it last
	b = binary.AppendVarint(b, e.Time.UnixNano())
	var flags byte
	if e.ReadOnly {
		flags |= flagReadOnly
	}
	if e.Management {
		flags |= flagManagement
	}
	if e.Delivery {
		flags |= flagDelivery
	}
	if e.Global {
		flags |= flagGlobal
	}
	if e.Console {
		flags |= flagConsole
	}
	if e.SignIn {
		flags |= flagSignIn
	}
	b = append(b, flags)
	for _, s := range e.strings() {
		b = appendString(b, *s)
	}
	b = binary.AppendVarint(b, e.Identity.SessionIssued)
	b = binary.AppendUvarint(b, uint64(len(e.Recipients)))
	for _, a := range e.Recipients {
		b = appendString(b, a)
	}
	b = binary.AppendUvarint(b, uint64(len(e.Resources)))
	for _, r := range e.Resources {
		b = appendString(appendString(appendString(b, r.Type), r.ARN), r.Account)
	}
	b = appendBytes(b, e.Params)
	b = appendBytes(b, e.Response)
	if e.SignIn {
		b = appendBytes(b, e.Additional)
	}
	return b
}

// strings are the event's string fields in their encoding order.
func (e *Event) strings() [22]*string {
	return [...]*string{&e.ID, &e.RequestID, &e.Source, &e.Name, &e.Region, &e.SourceIP, &e.UserAgent, &e.ErrorCode, &e.ErrorMessage,
		&e.Identity.Type, &e.Identity.PrincipalID, &e.Identity.ARN, &e.Identity.AccountID, &e.Identity.AccessKeyID, &e.Identity.UserName,
		&e.Identity.InvokedBy, &e.Identity.RoleARN, &e.Identity.RoleID, &e.Identity.RoleName, &e.TLSVersion, &e.CipherSuite, &e.Host}
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b []byte, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

var errCorrupt = errors.New("events: corrupt event encoding")

// decoder reads an encoding, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) string() string { return string(d.bytes()) }

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

// UnmarshalBinary decodes an encoding made by AppendBinary. The event keeps no reference to b.
func (e *Event) UnmarshalBinary(b []byte) error {
	d := &decoder{b: b}
	version := d.byte()
	if version < 1 || version > encodingVersion {
		return errCorrupt
	}
	if len(d.b) < 8 {
		return errCorrupt
	}
	e.Seq = binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	e.Time = time.Unix(0, d.varint()).UTC()
	flags := d.byte()
	e.ReadOnly, e.Management, e.Delivery = flags&flagReadOnly != 0, flags&flagManagement != 0, flags&flagDelivery != 0
	e.Global = flags&flagGlobal != 0
	e.Console = flags&flagConsole != 0
	e.SignIn = version >= 3 && flags&flagSignIn != 0
	for _, p := range e.strings() {
		*p = d.string()
	}
	if version == 1 {
		e.Global = e.Source == "iam.amazonaws.com"
	}
	e.Identity.SessionIssued = d.varint()
	n := d.uvarint()
	if n > 16 {
		return errCorrupt
	}
	e.Recipients = make([]string, n)
	for i := range e.Recipients {
		e.Recipients[i] = d.string()
	}
	if n = d.uvarint(); n > 1024 {
		return errCorrupt
	}
	e.Resources = make([]request.Resource, n)
	for i := range e.Resources {
		e.Resources[i] = request.Resource{Type: d.string(), ARN: d.string(), Account: d.string()}
	}
	e.Params = append([]byte(nil), d.bytes()...)
	e.Response = append([]byte(nil), d.bytes()...)
	if e.SignIn {
		e.Additional = append([]byte(nil), d.bytes()...)
	}
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return errCorrupt
	}
	return nil
}
