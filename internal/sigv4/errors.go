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
	KindMalformedQuery                        // a presigned URL's X-Amz-* query parameters are missing or malformed
	KindBadExpires                            // X-Amz-Expires is not a number, negative, or longer than a week
	KindUnsupportedMechanism                  // Signature Version 2 (an "AWS " header, or AWSAccessKeyId/Signature in the query)
	KindMultipleMechanisms                    // more than one of: Authorization header, X-Amz-Algorithm, Signature query parameter
	KindInvalidRequest                        // an aws-chunked request whose headers S3 refuses (trailer or checksum algorithm)
	KindMalformedTrailer                      // the trailer sent is not the one x-amz-trailer declared
)

// Error is a verification failure.
type Error struct {
	Kind    Kind
	Message string // what the client is told
	// Reason says, for the server log only, which rule the request broke when Message does not
	// (an unknown access key: not an account ID, not "test", not a key keytrail issued).
	Reason string
	// Value is the value the error is about, when AWS names it in the error body: the access key
	// (KindUnknownKey) or the Authorization header (KindMultipleMechanisms).
	Value string
}

func (e *Error) Error() string { return "sigv4: " + e.Message }

func errorf(kind Kind, msg string) *Error { return &Error{Kind: kind, Message: msg} }
