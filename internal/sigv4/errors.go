package sigv4

// Kind classifies a verification failure.
type Kind int

// The failure kinds. The gateway turns each into the protocol's AWS error code.
const (
	KindMalformed             Kind = iota + 1 // the Authorization header or presigned query is malformed
	KindUnknownKey                            // no such access key, or the key is inactive
	KindInvalidToken                          // a temporary key's session token is missing or wrong
	KindExpiredToken                          // temporary credentials past their expiration
	KindSignatureMismatch                     // the signature (or a chunk or trailer signature) is wrong
	KindSkew                                  // the request time is more than 15 minutes from now
	KindPresignExpired                        // a presigned URL used after X-Amz-Expires
	KindUnsignedHeaders                       // an X-Amz-* header is present but not signed
	KindContentSHA256Mismatch                 // the body does not hash to X-Amz-Content-Sha256
	KindMissingContentSHA256                  // an S3 request without X-Amz-Content-Sha256
	KindIncompleteBody                        // an aws-chunked body is truncated or malformed
	KindBadDigest                             // a trailing checksum does not match the body
)

// Error is a verification failure.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return "sigv4: " + e.Message }

func errorf(kind Kind, msg string) *Error { return &Error{Kind: kind, Message: msg} }
