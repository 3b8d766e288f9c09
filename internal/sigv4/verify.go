package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
)

// MaxSkew is how far a request's time may be from the server's clock.
const MaxSkew = 15 * time.Minute

// Payload hash values with a meaning of their own (X-Amz-Content-Sha256).
const (
	UnsignedPayload             = "UNSIGNED-PAYLOAD"
	StreamingPayload            = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer     = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedTrailer    = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	emptySHA256                 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	msgSignatureDoesNotMatch    = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgUnknownKey               = "The security token included in the request is invalid."
	msgExpiredToken             = "The security token included in the request is expired"
	msgContentSHA256Mismatch    = "The provided 'x-amz-content-sha256' header does not match what was computed."
	msgMissingContentSHA256     = "Missing required header for this request: x-amz-content-sha256"
	msgPresignExpired           = "Request has expired"
	msgUnsignedHeadersPrefix    = "There were headers present in the request which were not signed: "
	msgCredentialDateMismatched = "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
)

// Credential is the secret behind an access key and the principal it authenticates as.
type Credential struct {
	Secret    string
	Principal identity.Principal
}

// CredentialSource finds the credential for an access key. It returns an *Error of kind
// KindUnknownKey (no such key, or inactive), KindInvalidToken (a temporary key whose session token
// is missing or wrong) or KindExpiredToken (temporary credentials past expiry); other errors are
// internal faults.
type CredentialSource interface {
	Credential(ctx context.Context, accessKeyID, sessionToken string) (Credential, error)
}

// Verifier checks SigV4 signatures.
type Verifier struct {
	creds CredentialSource
	now   func() time.Time
	keys  *keyCache
	bufs  sync.Pool
}

// NewVerifier returns a verifier that finds secrets in creds; now is the clock (time.Now in the
// product, injectable in tests).
func NewVerifier(creds CredentialSource, now func() time.Time) *Verifier {
	if now == nil {
		now = time.Now
	}
	return &Verifier{
		creds: creds,
		now:   now,
		keys:  newKeyCache(),
		bufs:  sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }},
	}
}

// Verified is a request whose signature checked out.
type Verified struct {
	Principal identity.Principal
	Auth      *Auth
	key       []byte // the derived signing key, for chunk signatures
}

// PayloadHash returns the payload hash an S3 request was signed with: X-Amz-Content-Sha256, or
// UNSIGNED-PAYLOAD for a presigned URL without it. Non-S3 services sign the body's SHA-256, which
// the caller computes.
func PayloadHash(r *http.Request, a *Auth) (string, error) {
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		switch h {
		case UnsignedPayload, StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedTrailer:
			return h, nil
		}
		if len(h) != 64 || !isLowerHex(strings.ToLower(h)) {
			return "", errorf(KindMalformed, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-UNSIGNED-PAYLOAD-TRAILER or a valid sha256 value.")
		}
		return h, nil
	}
	if a.Presigned {
		if vs := r.URL.Query()["X-Amz-Content-Sha256"]; len(vs) == 1 {
			return vs[0], nil
		}
		return UnsignedPayload, nil
	}
	return "", errorf(KindMissingContentSHA256, msgMissingContentSHA256)
}

// Verify checks a request's signature over payloadHash and returns the authenticated caller.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, a *Auth, payloadHash string) (*Verified, error) {
	if err := checkSignedHeaders(r, a); err != nil {
		return nil, err
	}
	if err := v.checkTime(a); err != nil {
		return nil, err
	}
	cred, err := v.creds.Credential(ctx, a.AccessKeyID, a.SessionToken)
	if err != nil {
		return nil, err
	}
	query, err := canonicalQuery(r.URL.RawQuery, a.Presigned)
	if err != nil {
		return nil, err
	}
	ck := v.keys.signingKey(a.AccessKeyID, cred.Secret, a)
	var want [sha256.Size]byte
	if len(a.Signature) != 2*sha256.Size {
		return nil, errorf(KindMalformed, "Signature must be hexadecimal")
	}
	if _, err := hex.Decode(want[:], []byte(a.Signature)); err != nil {
		return nil, errorf(KindMalformed, "Signature must be hexadecimal")
	}
	bp := v.bufs.Get().(*[]byte)
	defer v.bufs.Put(bp)
	m, done := ck.mac()
	defer done()
	var sum [sha256.Size]byte
	first, second := canonicalURIs(r, a.Service)
	for _, uri := range [2]string{first, second} {
		if uri == "" {
			continue
		}
		buf := canonicalRequest((*bp)[:0], r, a, uri, query, payloadHash)
		crHash := sha256.Sum256(buf)
		buf = stringToSign(buf[:0], "AWS4-HMAC-SHA256", a, crHash[:])
		*bp = buf
		m.Reset()
		m.Write(buf)
		if hmac.Equal(m.Sum(sum[:0]), want[:]) {
			return &Verified{Principal: cred.Principal, Auth: a, key: ck.key}, nil
		}
	}
	return nil, errorf(KindSignatureMismatch, msgSignatureDoesNotMatch)
}

// stringToSign appends "<alg>\n<amz-date>\n<scope>\n<hex(hash)>" to buf.
func stringToSign(buf []byte, alg string, a *Auth, hash []byte) []byte {
	buf = append(buf, alg...)
	buf = append(buf, '\n')
	buf = append(buf, a.AmzDate...)
	buf = append(buf, '\n')
	buf = append(buf, a.Date...)
	buf = append(buf, '/')
	buf = append(buf, a.Region...)
	buf = append(buf, '/')
	buf = append(buf, a.Service...)
	buf = append(buf, "/aws4_request\n"...)
	return hex.AppendEncode(buf, hash)
}

// checkSignedHeaders refuses a request carrying an X-Amz-* header it did not sign.
func checkSignedHeaders(r *http.Request, a *Auth) error {
	var unsigned []string
	for name := range r.Header {
		if len(name) < 6 || !strings.EqualFold(name[:6], "x-amz-") {
			continue
		}
		signed := false
		for _, h := range a.SignedHeaders { // signed header names are lower case
			if strings.EqualFold(h, name) {
				signed = true
				break
			}
		}
		if !signed {
			unsigned = append(unsigned, strings.ToLower(name))
		}
	}
	if len(unsigned) > 0 {
		return errorf(KindUnsignedHeaders, msgUnsignedHeadersPrefix+strings.Join(unsigned, ", "))
	}
	return nil
}

// checkTime enforces the skew window (and, for presigned URLs, the expiry) and that the credential
// scope's date is the request's date.
func (v *Verifier) checkTime(a *Auth) error {
	if a.Date != a.AmzDate[:8] {
		if a.Presigned {
			return errorf(KindMalformedQuery, "Invalid credential date \""+a.Date+"\". This date is not the same as X-Amz-Date: \""+a.AmzDate[:8]+"\".")
		}
		return errorf(KindMalformed, msgCredentialDateMismatched+a.AmzDate)
	}
	now := v.now().UTC()
	if a.Presigned {
		if a.Time.After(now.Add(MaxSkew)) {
			return errorf(KindSkew, "Request is not valid yet: "+a.AmzDate+" is later than "+now.Add(MaxSkew).Format(timeFormat)+" ("+now.Format(timeFormat)+" + 15 min.)")
		}
		if now.After(a.Time.Add(a.Expires)) {
			return errorf(KindPresignExpired, msgPresignExpired)
		}
		return nil
	}
	switch {
	case a.Time.Before(now.Add(-MaxSkew)):
		return errorf(KindSkew, "Signature expired: "+a.AmzDate+" is now earlier than "+now.Add(-MaxSkew).Format(timeFormat)+" ("+now.Format(timeFormat)+" - 15 min.)")
	case a.Time.After(now.Add(MaxSkew)):
		return errorf(KindSkew, "Signature not yet current: "+a.AmzDate+" is still later than "+now.Add(MaxSkew).Format(timeFormat)+" ("+now.Format(timeFormat)+" + 15 min.)")
	}
	return nil
}

// Standard messages for the CredentialSource's errors.
var (
	ErrUnknownKey   = &Error{Kind: KindUnknownKey, Message: msgUnknownKey}
	ErrInvalidToken = &Error{Kind: KindInvalidToken, Message: msgUnknownKey}
	ErrExpiredToken = &Error{Kind: KindExpiredToken, Message: msgExpiredToken}
	// ErrContentSHA256Mismatch: X-Amz-Content-Sha256 names another hash than the body\'s.
	ErrContentSHA256Mismatch = &Error{Kind: KindContentSHA256Mismatch, Message: msgContentSHA256Mismatch}
)

// BodyHash returns the hex SHA-256 of a request body, as non-S3 services sign it.
func BodyHash(body []byte) string {
	if len(body) == 0 {
		return emptySHA256
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
