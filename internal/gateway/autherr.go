package gateway

import (
	"errors"
	"net/http"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/sigv4"
)

// family is a wire-protocol family: it decides how an authentication failure is named.
type family int

const (
	familyJSON family = iota
	familyQuery
	familyS3
)

// authCode is the AWS code (and, for S3, status and message) of an authentication failure.
type authCode struct {
	code    awserr.Code
	status  int    // 0: the code's own status
	message string // "": the verifier's message
}

// authErrors is the contract's Errors table for authentication, one row per failure kind:
// {JSON (KMS, CloudTrail), query (IAM, STS), S3}.
var authErrors = map[sigv4.Kind][3]authCode{
	sigv4.KindMalformed: {
		{code: awserr.IncompleteSignatureException},
		{code: awserr.IncompleteSignature},
		{code: awserr.AuthorizationHeaderMalformed},
	},
	sigv4.KindUnknownKey: {
		{code: awserr.UnrecognizedClientException},
		{code: awserr.InvalidClientTokenID},
		{code: awserr.InvalidAccessKeyID, message: "The AWS Access Key Id you provided does not exist in our records."},
	},
	sigv4.KindInvalidToken: {
		{code: awserr.UnrecognizedClientException},
		{code: awserr.InvalidClientTokenID},
		{code: awserr.InvalidToken, message: "The provided token is malformed or otherwise invalid."},
	},
	sigv4.KindExpiredToken: {
		{code: awserr.ExpiredTokenException},
		{code: awserr.ExpiredToken},
		{code: awserr.ExpiredToken, message: "The provided token has expired."},
	},
	sigv4.KindSignatureMismatch: {
		{code: awserr.InvalidSignatureException},
		{code: awserr.SignatureDoesNotMatch},
		{code: awserr.SignatureDoesNotMatch, message: "The request signature we calculated does not match the signature you provided. Check your key and signing method."},
	},
	sigv4.KindSkew: {
		{code: awserr.InvalidSignatureException},
		{code: awserr.RequestTimeTooSkewed},
		{code: awserr.RequestTimeTooSkewed, message: "The difference between the request time and the current time is too large."},
	},
	sigv4.KindPresignExpired: {
		{code: awserr.InvalidSignatureException, message: "Signature expired: the presigned request has expired."},
		{code: awserr.ExpiredToken, message: "The presigned request has expired."},
		{code: awserr.AccessDenied, message: "Request has expired"},
	},
	sigv4.KindUnsignedHeaders: {
		{code: awserr.InvalidSignatureException},
		{code: awserr.SignatureDoesNotMatch},
		{code: awserr.AccessDenied, status: http.StatusForbidden},
	},
	sigv4.KindContentSHA256Mismatch: {
		{code: awserr.InvalidSignatureException},
		{code: awserr.SignatureDoesNotMatch},
		{code: awserr.XAmzContentSHA256Mismatch},
	},
	sigv4.KindMissingContentSHA256: {
		{code: awserr.InvalidSignatureException},
		{code: awserr.SignatureDoesNotMatch},
		{code: awserr.InvalidRequest},
	},
	sigv4.KindIncompleteBody: {
		{code: awserr.SerializationException},
		{code: awserr.MalformedQueryString},
		{code: awserr.IncompleteBody},
	},
	sigv4.KindBadDigest: {
		{code: awserr.SerializationException},
		{code: awserr.MalformedQueryString},
		{code: awserr.BadDigest},
	},
}

// authError turns a verification failure into the protocol family's AWS error. Errors that are
// not *sigv4.Error (a broken store, say) pass through as internal faults.
func authError(err error, f family) error {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return err
	}
	row, ok := authErrors[se.Kind]
	if !ok {
		return err
	}
	c := row[f]
	msg := c.message
	if msg == "" {
		msg = se.Message
	}
	e := &awserr.Error{Code: c.code, Message: msg, Status: c.status}
	if f == familyS3 && se.Kind == sigv4.KindMalformed && c.code == awserr.AuthorizationHeaderMalformed {
		e.Status = http.StatusBadRequest
	}
	return e
}

// missingAuth is the error for an unauthenticated request to a service that requires SigV4.
func missingAuth() error {
	return awserr.New(awserr.MissingAuthenticationTokenException, "Missing Authentication Token")
}
