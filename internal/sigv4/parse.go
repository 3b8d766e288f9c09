package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm keytrail accepts.
const Algorithm = "AWS4-HMAC-SHA256"

// timeFormat is the ISO 8601 basic format of X-Amz-Date.
const timeFormat = "20060102T150405Z"

// maxPresignExpires is the longest X-Amz-Expires AWS accepts (7 days).
const maxPresignExpires = 7 * 24 * time.Hour

// Auth is the signature information a request carries, parsed but not yet verified.
type Auth struct {
	Presigned     bool
	AccessKeyID   string
	Date          string // the scope's yyyymmdd
	Region        string
	Service       string
	SignedHeaders []string // lower-case, in the order the client listed them
	Signature     string   // lower-case hex
	SessionToken  string

	AmzDate string    // the request timestamp in ISO basic form, as signed
	Time    time.Time // the request timestamp; zero until ParseRequest fills it
	Expires time.Duration
}

// Scope returns the credential scope "<date>/<region>/<service>/aws4_request".
func (a *Auth) Scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/aws4_request"
}

// ParseRequest returns the request's signature information, or nil when the request carries no
// SigV4 authentication at all (neither an Authorization header nor X-Amz-Algorithm/X-Amz-Credential
// in the query).
func ParseRequest(r *http.Request) (*Auth, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		a, err := ParseAuthorization(h)
		if err != nil {
			return nil, err
		}
		a.SessionToken = r.Header.Get("X-Amz-Security-Token")
		if d := r.Header.Get("X-Amz-Date"); d != "" {
			t, err := time.Parse(timeFormat, d)
			if err != nil {
				return nil, errorf(KindMalformed, "X-Amz-Date must be in the format yyyyMMdd'T'HHmmss'Z'")
			}
			a.AmzDate, a.Time = d, t
		} else if d := r.Header.Get("Date"); d != "" {
			t, err := http.ParseTime(d)
			if err != nil {
				return nil, errorf(KindMalformed, "Date header is not a valid HTTP date")
			}
			a.Time = t.UTC()
			a.AmzDate = a.Time.Format(timeFormat)
		} else {
			return nil, errorf(KindMalformed, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
		}
		return a, nil
	}
	q := r.URL.RawQuery
	if !strings.Contains(q, "X-Amz-Algorithm=") && !strings.Contains(q, "X-Amz-Credential=") {
		return nil, nil
	}
	values, err := url.ParseQuery(q)
	if err != nil {
		return nil, errorf(KindMalformed, "the query string is malformed")
	}
	return ParsePresigned(values)
}

// ParseAuthorization parses an Authorization header of the form
// "AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=a;b, Signature=<hex>".
// The request time is not part of the header; ParseRequest fills it.
func ParseAuthorization(h string) (*Auth, error) {
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || alg != Algorithm {
		if strings.HasPrefix(h, "AWS ") {
			return nil, errorf(KindMalformed, "Signature Version 2 is not supported; sign requests with AWS4-HMAC-SHA256.")
		}
		return nil, errorf(KindMalformed, "Unsupported authorization type; the Authorization header must start with "+Algorithm+".")
	}
	var cred, signed, sig string
	var seen [3]bool
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, errorf(KindMalformed, "Authorization header requires each component to be of the form key=value: "+quoteShort(part))
		}
		var i int
		switch k {
		case "Credential":
			i, cred = 0, v
		case "SignedHeaders":
			i, signed = 1, v
		case "Signature":
			i, sig = 2, v
		default:
			return nil, errorf(KindMalformed, "Authorization header has an unknown component "+quoteShort(k))
		}
		if seen[i] {
			return nil, errorf(KindMalformed, "Authorization header repeats the component "+k)
		}
		seen[i] = true
	}
	for i, k := range [3]string{"Credential", "SignedHeaders", "Signature"} {
		if !seen[i] {
			return nil, errorf(KindMalformed, "Authorization header requires '"+k+"' parameter.")
		}
	}
	a := &Auth{}
	if err := a.setCredential(cred); err != nil {
		return nil, err
	}
	if err := a.setSignedHeaders(signed); err != nil {
		return nil, err
	}
	if err := a.setSignature(sig); err != nil {
		return nil, err
	}
	return a, nil
}

// ParsePresigned parses the SigV4 query parameters of a presigned URL.
func ParsePresigned(q url.Values) (*Auth, error) {
	get := func(name string) (string, error) {
		vs := q[name]
		if len(vs) != 1 || vs[0] == "" {
			return "", errorf(KindMalformed, "Query-string authentication requires exactly one non-empty "+name+" parameter.")
		}
		return vs[0], nil
	}
	alg, err := get("X-Amz-Algorithm")
	if err != nil {
		return nil, err
	}
	if alg != Algorithm {
		return nil, errorf(KindMalformed, "X-Amz-Algorithm only supports \""+Algorithm+"\"")
	}
	a := &Auth{Presigned: true}
	for _, step := range []struct {
		name string
		set  func(string) error
	}{
		{"X-Amz-Credential", a.setCredential},
		{"X-Amz-SignedHeaders", a.setSignedHeaders},
		{"X-Amz-Signature", a.setSignature},
		{"X-Amz-Date", a.setAmzDate},
		{"X-Amz-Expires", a.setExpires},
	} {
		v, err := get(step.name)
		if err != nil {
			return nil, err
		}
		if err := step.set(v); err != nil {
			return nil, err
		}
	}
	if vs := q["X-Amz-Security-Token"]; len(vs) > 0 {
		a.SessionToken = vs[0]
	}
	return a, nil
}

func (a *Auth) setCredential(v string) error {
	if strings.Count(v, "/") != 4 {
		return errorf(KindMalformed, "Credential should have exactly five slash-separated parts: <key>/<date>/<region>/<service>/aws4_request; got "+quoteShort(v))
	}
	key, rest, _ := strings.Cut(v, "/")
	date, rest, _ := strings.Cut(rest, "/")
	region, rest, _ := strings.Cut(rest, "/")
	service, term, _ := strings.Cut(rest, "/")
	if key == "" {
		return errorf(KindMalformed, "Credential has an empty access key ID")
	}
	if len(date) != 8 || !allDigits(date) {
		return errorf(KindMalformed, "Credential date "+quoteShort(date)+" is not in the format yyyyMMdd")
	}
	if region == "" || !isLowerToken(region) {
		return errorf(KindMalformed, "Credential region "+quoteShort(region)+" is not valid")
	}
	if service == "" || !isLowerToken(service) {
		return errorf(KindMalformed, "Credential service "+quoteShort(service)+" is not valid")
	}
	if term != "aws4_request" {
		return errorf(KindMalformed, "Credential should be scoped with a valid terminator: 'aws4_request', not "+quoteShort(term))
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = key, date, region, service
	return nil
}

func (a *Auth) setSignedHeaders(v string) error {
	if v == "" {
		return errorf(KindMalformed, "SignedHeaders is empty")
	}
	hs := strings.Split(v, ";")
	hasHost := false
	for _, h := range hs {
		if h == "" || !isHeaderName(h) {
			return errorf(KindMalformed, "SignedHeaders contains an invalid header name "+quoteShort(h))
		}
		if h == "host" {
			hasHost = true
		}
	}
	if !hasHost {
		return errorf(KindMalformed, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	a.SignedHeaders = hs
	return nil
}

func (a *Auth) setSignature(v string) error {
	if len(v) != 64 || !isLowerHex(v) {
		return errorf(KindMalformed, "Signature must be 64 lower-case hexadecimal characters")
	}
	a.Signature = v
	return nil
}

func (a *Auth) setAmzDate(v string) error {
	t, err := time.Parse(timeFormat, v)
	if err != nil {
		return errorf(KindMalformed, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	a.AmzDate, a.Time = v, t
	return nil
}

func (a *Auth) setExpires(v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return errorf(KindMalformed, "X-Amz-Expires should be a number of seconds greater than 0")
	}
	if time.Duration(n)*time.Second > maxPresignExpires {
		return errorf(KindMalformed, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	a.Expires = time.Duration(n) * time.Second
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLowerToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// isHeaderName reports whether s is a lower-case HTTP token.
func isHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			return false
		}
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}

// quoteShort quotes s for an error message, cut to a readable length.
func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.Quote(s)
}
