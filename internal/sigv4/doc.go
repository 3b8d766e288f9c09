// Package sigv4 verifies AWS Signature Version 4 on incoming requests and returns the caller.
//
// It handles the Authorization header form and the presigned query form, X-Amz-Security-Token,
// the 15-minute clock-skew window, canonicalisation of only the signed headers (an X-Amz-* header
// that is present but not signed is refused), and the S3 payload modes: a hex SHA-256 (checked as
// the body is read), UNSIGNED-PAYLOAD, and aws-chunked streaming bodies whose chunk signatures (and
// trailer signature and checksums) are verified before any of their bytes are released.
//
// Failures are *Error values with a Kind; the gateway maps each Kind to the wire code of the
// protocol that carries the request, as the contract's Errors table says.
//
// AWS references:
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
//   - https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
//   - https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
//   - https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
package sigv4
