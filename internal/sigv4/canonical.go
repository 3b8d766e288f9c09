package sigv4

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// canonicalRequest appends the SigV4 canonical request to buf:
// method, URI, query, the signed headers' canonical lines, the signed header list and the payload hash.
func canonicalRequest(buf []byte, r *http.Request, a *Auth, uri, query, payloadHash string) []byte {
	buf = append(buf, r.Method...)
	buf = append(buf, '\n')
	buf = append(buf, uri...)
	buf = append(buf, '\n')
	buf = append(buf, query...)
	buf = append(buf, '\n')
	for _, h := range a.SignedHeaders {
		buf = append(buf, h...)
		buf = append(buf, ':')
		buf = appendHeaderValue(buf, r, h)
		buf = append(buf, '\n')
	}
	buf = append(buf, '\n')
	for i, h := range a.SignedHeaders {
		if i > 0 {
			buf = append(buf, ';')
		}
		buf = append(buf, h...)
	}
	buf = append(buf, '\n')
	buf = append(buf, payloadHash...)
	return buf
}

// canonicalNames are the canonical forms of the headers SDKs sign, so that looking them up costs
// no allocation.
var canonicalNames = map[string]string{}

func init() {
	for _, h := range []string{"content-type", "content-md5", "x-amz-date", "x-amz-target", "x-amz-security-token",
		"x-amz-content-sha256", "x-amz-user-agent", "amz-sdk-invocation-id", "amz-sdk-request", "x-amz-decoded-content-length",
		"content-encoding", "x-amz-acl", "x-amz-sdk-checksum-algorithm", "x-amz-trailer", "x-amz-server-side-encryption",
		"x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-context", "x-amz-checksum-crc32"} {
		canonicalNames[h] = http.CanonicalHeaderKey(h)
	}
}

// appendHeaderValue appends the canonical value of the lower-case header h: each value trimmed with
// inner runs of spaces collapsed, several values joined by commas.
func appendHeaderValue(buf []byte, r *http.Request, h string) []byte {
	var values []string
	switch h {
	case "host":
		values = []string{r.Host}
	case "transfer-encoding":
		values = r.TransferEncoding
	case "content-length":
		values = r.Header["Content-Length"]
		if len(values) == 0 && r.ContentLength >= 0 {
			return strconv.AppendInt(buf, r.ContentLength, 10)
		}
	default:
		name, ok := canonicalNames[h]
		if !ok {
			name = http.CanonicalHeaderKey(h)
		}
		values = r.Header[name]
	}
	for i, v := range values {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendTrimmed(buf, v)
	}
	return buf
}

func appendTrimmed(buf []byte, v string) []byte {
	v = strings.TrimSpace(v)
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space {
			buf = append(buf, ' ')
			space = false
		}
		buf = append(buf, c)
	}
	return buf
}

// rawPath returns the request path exactly as the client sent it.
func rawPath(r *http.Request) string {
	p := r.RequestURI
	if p == "" || p == "*" {
		return r.URL.EscapedPath()
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		// An absolute-form request target (through a proxy): keep only the path.
		if u, err := url.Parse(p); err == nil {
			return u.EscapedPath()
		}
	}
	return p
}

// canonicalURIs returns the canonical URI candidates for the request (the second may be empty). S3 signs the path as sent
// (single encoding); every other service URI-encodes the already-encoded, normalised path again.
// For S3 a second candidate re-encodes the decoded path with AWS's rules, for clients that send
// characters raw that their signer encoded.
func canonicalURIs(r *http.Request, service string) (string, string) {
	p := rawPath(r)
	if p == "" {
		p = "/"
	}
	if service == "s3" {
		if dec, err := url.PathUnescape(p); err == nil {
			if alt := escape(dec, false); alt != p {
				return p, alt
			}
		}
		return p, ""
	}
	return escape(normalizePath(p), false), ""
}

// normalizePath removes "." and ".." segments and repeated slashes, keeping a trailing slash.
func normalizePath(p string) string {
	if p == "/" {
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	res := "/" + strings.Join(out, "/")
	if strings.HasSuffix(p, "/") && res != "/" {
		res += "/"
	}
	return res
}

// canonicalQuery returns the canonical query string: every parameter (but X-Amz-Signature when
// presigned) decoded, re-encoded with AWS's rules and sorted by name, then value.
func canonicalQuery(raw string, presigned bool) (string, error) {
	if raw == "" {
		return "", nil
	}
	type pair struct{ k, v string }
	var pairs []pair
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			return "", errorf(KindMalformed, "the query string is malformed")
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return "", errorf(KindMalformed, "the query string is malformed")
		}
		if presigned && dk == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, pair{escape(dk, true), escape(dv, true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String(), nil
}

// escape URI-encodes s with AWS's rules: every byte but A-Z a-z 0-9 - _ . ~ becomes %XX
// (upper-case hex); '/' is kept unless encodeSlash.
func escape(s string, encodeSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && (encodeSlash || s[i] != '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (!encodeSlash && c == '/') {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}
