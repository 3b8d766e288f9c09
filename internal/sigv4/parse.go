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

// The messages AWS gives for the authentication mechanisms it refuses (S3's error responses).
const (
	msgSigV2Unsupported   = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
	msgMultipleMechanisms = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"
	msgQueryParamsMissing = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)

// ParseRequest returns the request's signature information, or nil when the request carries no
// authentication at all (no Authorization header, no X-Amz-Algorithm/X-Amz-Credential and no
// Signature Version 2 parameters in the query). A request that uses more than one mechanism fails
// with KindMultipleMechanisms, and Signature Version 2 with KindUnsupportedMechanism, as S3
// answers for buckets created since 2020 (https://docs.aws.amazon.com/AmazonS3/latest/API/specify-signature-version.html#UsingAWSSDK-sig2-deprecation).
func ParseRequest(r *http.Request) (*Auth, error) {
	h := r.Header.Get("Authorization")
	q := r.URL.RawQuery
	v4Query := queryHas(q, "X-Amz-Algorithm") || queryHas(q, "X-Amz-Credential")
	v2Query := queryHas(q, "Signature") || queryHas(q, "AWSAccessKeyId")
	if countTrue(h != "", v4Query, v2Query) > 1 {
		return nil, &Error{Kind: KindMultipleMechanisms, Message: msgMultipleMechanisms, Value: h}
	}
	switch {
	case h != "":
		return parseHeaderAuth(r, h)
	case v2Query:
		return nil, errorf(KindUnsupportedMechanism, msgSigV2Unsupported)
	case !v4Query:
		return nil, nil
	}
	values, err := url.ParseQuery(q)
	if err != nil {
		return nil, errorf(KindMalformedQuery, "the query string is malformed")
	}
	return ParsePresigned(values)
}

// parseHeaderAuth parses the Authorization header h and the request time beside it.
func parseHeaderAuth(r *http.Request, h string) (*Auth, error) {
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

// queryHas reports whether the raw query string has a parameter named name.
func queryHas(rawQuery, name string) bool {
	for rawQuery != "" {
		var part string
		part, rawQuery, _ = strings.Cut(rawQuery, "&")
		if k, _, _ := strings.Cut(part, "="); k == name {
			return true
		}
	}
	return false
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// ParseAuthorization parses an Authorization header of the form
// "AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=a;b, Signature=<hex>".
// The request time is not part of the header; ParseRequest fills it.
func ParseAuthorization(h string) (*Auth, error) {
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || alg != Algorithm {
		if strings.HasPrefix(h, "AWS ") {
			return nil, errorf(KindUnsupportedMechanism, msgSigV2Unsupported)
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
	if msg := a.setCredential(cred); msg != "" {
		return nil, errorf(KindMalformed, "The authorization header is malformed; "+msg)
	}
	if err := a.setSignedHeaders(signed); err != nil {
		return nil, err
	}
	if err := a.setSignature(sig); err != nil {
		return nil, err
	}
	return a, nil
}

// ParsePresigned parses the SigV4 query parameters of a presigned URL. Its failures are
// KindMalformedQuery (S3's AuthorizationQueryParametersError), or KindBadExpires for X-Amz-Expires,
// with the messages S3 gives (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
func ParsePresigned(q url.Values) (*Auth, error) {
	var vals [6]string
	for i, name := range [6]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date", "X-Amz-Expires"} {
		vs := q[name]
		if len(vs) != 1 || vs[0] == "" {
			return nil, errorf(KindMalformedQuery, msgQueryParamsMissing)
		}
		vals[i] = vs[0]
	}
	if vals[0] != Algorithm {
		return nil, errorf(KindMalformedQuery, "X-Amz-Algorithm only supports \""+Algorithm+"\"")
	}
	a := &Auth{Presigned: true}
	if msg := a.setCredential(vals[1]); msg != "" {
		return nil, errorf(KindMalformedQuery, "Error parsing the X-Amz-Credential parameter; "+msg)
	}
	for _, step := range []struct {
		value string
		set   func(string) error
	}{{vals[2], a.setSignedHeaders}, {vals[3], a.setSignature}, {vals[4], a.setAmzDate}, {vals[5], a.setExpires}} {
		if err := step.set(step.value); err != nil {
			return nil, asQueryError(err)
		}
	}
	if vs := q["X-Amz-Security-Token"]; len(vs) > 0 {
		a.SessionToken = vs[0]
	}
	return a, nil
}

// asQueryError turns a header-form parse error into its presigned-query kind.
func asQueryError(err error) error {
	if e, ok := err.(*Error); ok && e.Kind == KindMalformed {
		return &Error{Kind: KindMalformedQuery, Message: e.Message}
	}
	return err
}

// setCredential sets the access key and scope from "<key>/<date>/<region>/<service>/aws4_request";
// it returns what is wrong with v ("" when nothing is), in S3's words.
func (a *Auth) setCredential(v string) string {
	const malformed = `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
	if strings.Count(v, "/") != 4 {
		return malformed
	}
	key, rest, _ := strings.Cut(v, "/")
	date, rest, _ := strings.Cut(rest, "/")
	region, rest, _ := strings.Cut(rest, "/")
	service, term, _ := strings.Cut(rest, "/")
	switch {
	case key == "":
		return malformed
	case len(date) != 8 || !allDigits(date):
		return "incorrect date format " + quoteShort(date) + `. This date in the credential must be in the format "yyyyMMdd".`
	case region == "" || !isLowerToken(region):
		return "the region " + quoteShort(region) + " is not a valid region."
	case service == "" || !isLowerToken(service):
		return "incorrect service " + quoteShort(service) + "."
	case term != "aws4_request":
		return "incorrect terminal " + quoteShort(term) + `. This endpoint uses "aws4_request".`
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = key, date, region, service
	return ""
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

// setExpires sets the presigned URL's lifetime. 0 is accepted (the URL has expired when it is
// used); a negative, non-numeric or over-a-week value is refused.
func (a *Auth) setExpires(v string) error {
	digits, negative := strings.CutPrefix(v, "-")
	if digits == "" || !allDigits(digits) {
		return errorf(KindBadExpires, "X-Amz-Expires should be a number")
	}
	if negative {
		return errorf(KindBadExpires, "X-Amz-Expires must be non-negative")
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > int64(maxPresignExpires/time.Second) {
		return errorf(KindBadExpires, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
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
