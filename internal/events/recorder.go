package events

import (
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/model"
	"github.com/keytrail/keytrail/internal/request"
)

// scratch holds the buffers requestParameters are rewritten into; the journal copies them.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// Recorder turns calls into events in the journal.
type Recorder struct {
	j    *Journal
	rand io.Reader // event IDs; crypto/rand when nil
}

// NewRecorder returns a recorder appending to j, with event IDs from crypto/rand.
func NewRecorder(j *Journal) *Recorder { return &Recorder{j: j} }

// SetRand makes the recorder read its event IDs from r (tests make them repeatable). Call it
// before the recorder is used.
func (r *Recorder) SetRand(rd io.Reader) { r.rand = rd }

// Record appends the event of one answered call: its facts, its outcome and its caller p. The
// gateway calls it before the answer is complete, so an answered call is never lost.
func (r *Recorder) Record(f *request.Facts, o *request.Outcome, p identity.Principal) error {
	if o.Operation == "" || f.Service == "" {
		return nil
	}
	e := Event{
		Time:         f.Time,
		ID:           request.NewID(r.rand),
		RequestID:    f.ID,
		Source:       f.Service + ".amazonaws.com",
		Name:         o.Operation,
		Region:       f.Region,
		SourceIP:     f.SourceIP,
		UserAgent:    f.UserAgent,
		ErrorCode:    o.ErrorCode,
		ErrorMessage: o.ErrorMessage,
		ReadOnly:     o.Meta.ReadOnly,
		Management:   !o.Meta.Data,
		Delivery:     f.Delivery,
		Identity:     identityOf(p, f.InvokedBy),
		Resources:    o.Resources,
		Host:         f.Host,
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	if o.Meta.Global {
		e.Region, e.Global = "us-east-1", true
	}
	e.Console = p.Console
	if f.Secure {
		e.TLSVersion, e.CipherSuite = f.TLSVersion, f.CipherSuite
	}
	var to [2]string
	e.Recipients = recipients(to[:0], p, o)
	if len(e.Recipients) == 0 {
		return nil
	}
	bp := scratch.Get().(*[]byte)
	defer scratch.Put(bp)
	e.Params = requestParameters((*bp)[:0], f, o)
	if cap(e.Params) > cap(*bp) && cap(e.Params) <= 64<<10 {
		*bp = e.Params[:0]
	}
	if o.ErrorCode == "" && !e.ReadOnly {
		e.Response = responseElements(o)
	}
	fit(&e)
	return r.j.Append(&e)
}

// recipients are the accounts whose trails get a call: the caller's and the owners' of the
// resources it acted on. A call another account was denied is the caller's alone (as KMS logs
// denied cross-account requests); an AWS service's call is the resource owner's.
func recipients(out []string, p identity.Principal, o *request.Outcome) []string {
	if p.Type != identity.AWSService && identity.IsAccountID(p.Account) {
		out = append(out, p.Account)
	}
	denied := strings.HasPrefix(o.ErrorCode, "AccessDenied")
	for _, res := range o.Resources {
		if res.Account == "" || (denied && len(out) > 0) {
			continue
		}
		if !contains(out, res.Account) {
			out = append(out, res.Account)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// identityOf is a principal's userIdentity.
func identityOf(p identity.Principal, invokedBy string) Identity {
	id := Identity{Type: string(p.Type), PrincipalID: p.PrincipalID, ARN: p.ARN, AccountID: p.Account, AccessKeyID: p.AccessKeyID}
	switch p.Type {
	case identity.AWSService:
		id = Identity{Type: string(p.Type), InvokedBy: p.Service}
		return id
	case identity.IAMUser:
		id.UserName = p.UserName
	case identity.AssumedRole:
		id.RoleARN, id.RoleID, id.RoleName, id.SessionIssued = p.RoleARN, p.RoleID, p.RoleName, p.SessionIssued.Unix()
	case identity.Anonymous:
		id = Identity{Type: string(p.Type), AccountID: "ANONYMOUS_PRINCIPAL"}
	}
	if p.Console && p.Type != identity.AssumedRole {
		id.SessionIssued = p.SessionIssued.Unix() // a console session: sessionContext.attributes
	}
	id.InvokedBy = invokedBy
	return id
}

// s3Params is an S3 call's requestParameters: the bucket, the Host, the key, the query's
// parameters and the notable headers.
func s3Params(b []byte, c *request.S3Call, host string) []byte {
	b = append(b, '{')
	sep := func() {
		if len(b) > 1 {
			b = append(b, ',')
		}
	}
	if c.Bucket != "" {
		b = appendJSONString(append(b, `"bucketName":`...), c.Bucket)
	}
	sep()
	b = appendJSONString(append(b, `"Host":`...), host)
	if c.Key != "" {
		b = appendJSONString(append(b, `,"key":`...), c.Key)
	}
	names := make([]string, 0, len(c.Query))
	for k := range c.Query {
		if !strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		v := ""
		if vs := c.Query[k]; len(vs) > 0 {
			v = vs[0]
		}
		b = appendJSONString(append(appendJSONString(append(b, ','), k), ':'), v)
	}
	hs := make([]string, 0, len(c.Headers))
	for h := range c.Headers {
		hs = append(hs, h)
	}
	sort.Strings(hs)
	for _, h := range hs {
		b = appendJSONString(append(appendJSONString(append(b, ','), h), ':'), c.Headers[h])
	}
	return append(b, '}')
}

// requestParameters is a call's requestParameters: for KMS, CloudTrail, IAM and STS the request
// projected through the operation's input shape (only the members it defines, secrets dropped);
// for S3 the bucket, key, query and notable headers. One larger than maxElement is omitted.
func requestParameters(b []byte, f *request.Facts, o *request.Outcome) []byte {
	var out []byte
	var err error
	switch {
	case o.S3 != nil:
		if out = s3Params(b, o.S3, f.Host); len(out) > maxElement {
			err = errTooLarge
		}
	case o.Form != nil:
		out, err = formParams(o.Form, inputShape(f.Service, o.Operation))
	case o.Params != nil:
		out, err = project(b, o.Params, inputShape(f.Service, o.Operation), maxElement)
	}
	if errors.Is(err, errTooLarge) {
		return omitted
	}
	return out
}

// noInput is the shape of an operation that takes no input: no member is kept.
var noInput = &model.Shape{Name: "noInput", Type: model.Structure}

// inputShape is the input shape of a service's operation, from the AWS model.
func inputShape(service, op string) *model.Shape {
	if sh := model.Input(service, op); sh != nil {
		return sh
	}
	return noInput
}

// responseElements is a call's responseElements, secrets dropped; one larger than maxElement is
// omitted.
func responseElements(o *request.Outcome) []byte {
	resp := o.Response
	if resp == nil && o.Output != nil {
		var err error
		if resp, err = queryOutputJSON(o.Output); err != nil {
			return nil
		}
	}
	if resp == nil {
		return nil
	}
	out, err := project(nil, resp, nil, maxElement)
	if errors.Is(err, errTooLarge) {
		return omitted
	}
	return out
}

// maxParams bounds the parameters of a query form that are recorded, as awsquery.Decode bounds
// those it accepts.
const maxParams = 1000

// formParams turns a query-protocol form into requestParameters projected through sh: Action
// and Version dropped, dotted names nested (names deeper than MaxDepth left out), "member.N"
// lists as arrays, secrets dropped.
func formParams(form []byte, sh *model.Shape) ([]byte, error) {
	root := map[string]any{}
	for n, pair := range strings.Split(string(form), "&") {
		if n >= maxParams {
			break
		}
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err1 := unescape(k)
		v, err2 := unescape(v)
		if err1 != nil || err2 != nil || k == "Action" || k == "Version" || strings.Count(k, ".") >= MaxDepth {
			continue
		}
		setPath(root, strings.Split(k, "."), v)
	}
	if len(root) == 0 {
		return nil, nil
	}
	out, err := json.Marshal(typed(normalize(root), sh))
	if err != nil {
		return nil, err
	}
	return project(nil, out, sh, maxElement)
}

// typed gives a form's values the JSON types of their shapes, as AWS's records show them
// ("durationSeconds": 3600 in the AssumeRole example of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html): integers and
// longs as numbers, booleans as true or false. A value that does not parse keeps its text, and
// without a shape (nil) nothing is changed.
func typed(v any, sh *model.Shape) any {
	if sh == nil {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if m := sh.Member(k); m != nil && sh.Type == model.Structure {
				x[k] = typed(e, m.Shape)
			}
		}
	case []any:
		for i, e := range x {
			if sh.Type == model.List {
				x[i] = typed(e, sh.Elem)
			}
		}
	case string:
		switch sh.Type {
		case model.Integer, model.Long:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return json.Number(strconv.FormatInt(n, 10))
			}
		case model.Boolean:
			if x == "true" || x == "false" {
				return x == "true"
			}
		}
	}
	return v
}

func unescape(s string) (string, error) {
	s = strings.ReplaceAll(s, "+", " ")
	return urlUnescape(s)
}

func setPath(m map[string]any, path []string, v string) {
	for i, p := range path {
		if i == len(path)-1 {
			m[p] = v
			return
		}
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
}

// normalize turns {"member": {"1": a, "2": b}} into [a, b].
func normalize(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if len(m) == 1 {
		if members, ok := m["member"].(map[string]any); ok {
			idx := make([]int, 0, len(members))
			for k := range members {
				n, err := strconv.Atoi(k)
				if err != nil {
					return v
				}
				idx = append(idx, n)
			}
			sort.Ints(idx)
			list := make([]any, 0, len(idx))
			for _, n := range idx {
				list = append(list, normalize(members[strconv.Itoa(n)]))
			}
			return list
		}
	}
	for k, x := range m {
		m[k] = normalize(x)
	}
	return m
}

// The sizes a record keeps to. CloudTrail: "Starting with event version 1.05, events have a
// maximum size of 256 KB" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html),
// and "CloudTrail truncates a field if the field's contents exceeds the maximum field size. If a
// field is truncated, omitted is present with a value of true"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
// the maximum for requestParameters and responseElements being 100 KB.
const (
	maxEvent   = 256 << 10
	maxElement = 100 << 10
	// maxString is what a string field (userAgent, errorMessage, …) is cut to when an event
	// would still be too large.
	maxString = 8 << 10
)

// omitted replaces a requestParameters or responseElements too large to keep.
var omitted = []byte(`{"omitted":true}`)

// fit makes e's record at most maxEvent bytes, so that every call is kept: it omits the
// response, then the request parameters, then cuts long strings, then leaves out the resources
// that do not fit.
func fit(e *Event) {
	if e.sizeBound() <= maxEvent {
		return
	}
	steps := []func(){
		func() { e.Response = omitIfLonger(e.Response) },
		func() { e.Params = omitIfLonger(e.Params) },
		func() {
			for _, p := range e.strings() {
				*p = cut(*p, maxString)
			}
		},
	}
	for _, step := range steps {
		if e.recordSize() <= maxEvent {
			return
		}
		step()
	}
	for len(e.Resources) > 0 && e.recordSize() > maxEvent {
		e.Resources = e.Resources[:len(e.Resources)/2]
	}
}

func omitIfLonger(b []byte) []byte {
	if len(b) > len(omitted) {
		return omitted
	}
	return b
}

// cut shortens s to at most n bytes, at a UTF-8 boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// sizeBound is an upper bound of the size of e's record, cheap to compute: every string byte
// may become a six-byte escape.
func (e *Event) sizeBound() int {
	n := 2048 + len(e.Params) + len(e.Response)
	for _, p := range e.strings() {
		n += 6 * len(*p)
	}
	for _, r := range e.Resources {
		n += 64 + 6*(len(r.Type)+len(r.ARN)+len(r.Account))
	}
	return n
}

// recordSize is the exact size of e's record in its first recipient's log.
func (e *Event) recordSize() int {
	return len(e.AppendRecord(nil, e.Recipients[0]))
}

// SignIn is one attempt to sign in to the console: who (an IAM user, or an account's root),
// from where, and whether it succeeded. For an IAM user name that does not exist Who has only
// the account, and the record hides the name typed.
type SignIn struct {
	Time      time.Time
	Who       identity.Principal
	SourceIP  string
	UserAgent string
	LoginTo   string // the console page the sign-in leads to
	Success   bool
}

// hiddenUserName is the userName CloudTrail records for a sign-in with a user name that does not
// exist (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html).
const hiddenUserName = "HIDDEN_DUE_TO_SECURITY_REASONS"

// RecordSignIn appends the ConsoleLogin event of a console sign-in, successful or not, as
// CloudTrail records the AWS Management Console's
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html):
// eventSource signin.amazonaws.com, eventType AwsConsoleSignIn, responseElements
// {"ConsoleLogin": "Success"} or "Failure" with errorMessage "Failed authentication", and
// additionalEventData LoginTo, MobileVersion and MFAUsed (keytrail has no MFA). It is a global
// management event of the account signed in to.
func (r *Recorder) RecordSignIn(s SignIn) error {
	if !identity.IsAccountID(s.Who.Account) {
		return nil
	}
	id := Identity{Type: string(s.Who.Type), PrincipalID: s.Who.PrincipalID, ARN: s.Who.ARN, AccountID: s.Who.Account, UserName: s.Who.UserName}
	if s.Who.Type == identity.IAMUser && s.Who.UserName == "" {
		id.PrincipalID, id.UserName = s.Who.Account, hiddenUserName
	}
	e := Event{
		Time:       s.Time.UTC(),
		ID:         request.NewID(r.rand),
		Source:     "signin.amazonaws.com",
		Name:       "ConsoleLogin",
		Region:     "us-east-1",
		SourceIP:   s.SourceIP,
		UserAgent:  s.UserAgent,
		Management: true,
		Global:     true,
		SignIn:     true,
		Identity:   id,
		Recipients: []string{s.Who.Account},
		Response:   []byte(`{"ConsoleLogin":"Success"}`),
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	if !s.Success {
		e.ErrorMessage, e.Response = "Failed authentication", []byte(`{"ConsoleLogin":"Failure"}`)
	}
	add, err := json.Marshal(struct {
		LoginTo       string `json:"LoginTo"`
		MobileVersion string `json:"MobileVersion"`
		MFAUsed       string `json:"MFAUsed"`
	}{s.LoginTo, "No", "No"})
	if err != nil {
		return err
	}
	e.Additional = add
	fit(&e)
	return r.j.Append(&e)
}
