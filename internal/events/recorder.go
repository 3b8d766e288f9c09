package events

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/request"
)

// scratch holds the buffers requestParameters are rewritten into; the journal copies them.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// Recorder turns calls into events in the journal.
type Recorder struct {
	j *Journal
}

// NewRecorder returns a recorder appending to j.
func NewRecorder(j *Journal) *Recorder { return &Recorder{j: j} }

// Record appends the event of one answered call made by p. It is called before the answer's
// status line is written, so an answered call is never lost.
func (r *Recorder) Record(info *request.Info, p identity.Principal) error {
	if info == nil || info.Operation == "" || info.Service == "" {
		return nil
	}
	e := Event{
		Time:         info.Time,
		ID:           request.NewID(),
		RequestID:    info.ID,
		Source:       info.Service + ".amazonaws.com",
		Name:         info.Operation,
		Region:       info.Region,
		SourceIP:     info.SourceIP,
		UserAgent:    info.UserAgent,
		ErrorCode:    info.ErrorCode,
		ErrorMessage: info.ErrorMessage,
		ReadOnly:     ReadOnly(info.Service, info.Operation),
		Management:   Management(info.Service, info.Operation),
		Delivery:     info.Delivery,
		Identity:     identityOf(p, info.InvokedBy),
		Resources:    info.Resources,
		Host:         info.Host,
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	if Global(info.Service) {
		e.Region = "us-east-1"
	}
	if info.Secure {
		e.TLSVersion, e.CipherSuite = info.TLSVersion, info.CipherSuite
	}
	var to [2]string
	e.Recipients = recipients(to[:0], p, info)
	if len(e.Recipients) == 0 {
		return nil
	}
	bp := scratch.Get().(*[]byte)
	defer scratch.Put(bp)
	switch {
	case info.S3 != nil:
		e.Params = s3Params((*bp)[:0], info.S3, info.Host)
	case info.Service == "iam" || info.Service == "sts":
		e.Params = formParams(info.Params)
	case info.Params != nil:
		e.Params = Rewrite((*bp)[:0], info.Params)
	}
	if cap(e.Params) > cap(*bp) && cap(e.Params) <= 64<<10 {
		*bp = e.Params[:0]
	}
	if info.ErrorCode == "" && !e.ReadOnly {
		switch {
		case info.Response != nil:
			e.Response = Rewrite(nil, info.Response)
		case info.Output != nil:
			if out, err := json.Marshal(info.Output); err == nil {
				e.Response = Rewrite(nil, out)
			}
		}
	}
	return r.j.Append(&e)
}

// recipients are the accounts whose trails get a call: the caller's and the owners' of the
// resources it acted on. A call another account was denied is the caller's alone (as KMS logs
// denied cross-account requests); an AWS service's call is the resource owner's.
func recipients(out []string, p identity.Principal, info *request.Info) []string {
	if p.Type != identity.AWSService && identity.IsAccountID(p.Account) {
		out = append(out, p.Account)
	}
	denied := strings.HasPrefix(info.ErrorCode, "AccessDenied")
	for _, res := range info.Resources {
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

// formParams turns a query-protocol form into requestParameters: Action and Version dropped,
// dotted names nested, "member.N" lists as arrays, secrets dropped.
func formParams(form []byte) []byte {
	root := map[string]any{}
	for _, pair := range strings.Split(string(form), "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err1 := unescape(k)
		v, err2 := unescape(v)
		if err1 != nil || err2 != nil || k == "Action" || k == "Version" {
			continue
		}
		setPath(root, strings.Split(k, "."), v)
	}
	if len(root) == 0 {
		return nil
	}
	out, err := json.Marshal(normalize(root))
	if err != nil {
		return nil
	}
	return Rewrite(nil, out)
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
