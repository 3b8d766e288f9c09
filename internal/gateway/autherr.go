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

// authCode is the AWS code (and, for S3, status, message and extra elements) of an
// authentication failure.
type authCode struct {
	code    awserr.Code
	status  int                                // 0: the code's own status
	message string                             // "": the verifier's message
	details func(*sigv4.Error) []awserr.Detail // nil: none
}

// The S3 messages AWS gives whatever the verifier found.
const (
	msgS3UnknownKey = "The AWS Access Key Id you provided does not exist in our records."
	msgS3Mismatch   = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
)

// authErrors is the contract's Errors table for authentication, one row per failure kind:
// {JSON (KMS, CloudTrail), query (IAM, STS), S3}. S3's codes and statuses are those of
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html; where a non-S3 service has
// no code of its own for a failure, it answers as for any other malformed signature.
var authErrors = map[sigv4.Kind][3]authCode{
	sigv4.KindMalformed: {
		{code: awserr.IncompleteSignatureException},
		{code: awserr.IncompleteSignature},
		{code: awserr.AuthorizationHeaderMalformed},
	},
	sigv4.KindMalformedQuery: {
		{code: awserr.IncompleteSignatureException},
		{code: awserr.IncompleteSignature},
		{code: awserr.AuthorizationQueryParametersError, status: http.StatusBadRequest},
	},
	sigv4.KindBadExpires: {
		{code: awserr.IncompleteSignatureException},
		{code: awserr.IncompleteSignature},
		{code: awserr.AuthorizationQueryParametersError, status: http.StatusForbidden},
	},
	sigv4.KindUnsupportedMechanism: {
		{code: awserr.IncompleteSignatureException},
		{code: awserr.IncompleteSignature},
		{code: awserr.InvalidRequest, status: http.StatusBadRequest},
	},
	sigv4.KindMultipleMechanisms: {
		{code: awserr.IncompleteSignatureException},
		{code: awserr.IncompleteSignature},
		{code: awserr.InvalidArgument, status: http.StatusBadRequest, details: argumentAuthorization},
	},
	sigv4.KindUnknownKey: {
		{code: awserr.UnrecognizedClientException},
		{code: awserr.InvalidClientTokenID},
		{code: awserr.InvalidAccessKeyID, message: msgS3UnknownKey, details: accessKeyDetail},
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
		{code: awserr.SignatureDoesNotMatch, message: msgS3Mismatch},
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
	sigv4.KindInvalidRequest: {
		{code: awserr.SerializationException},
		{code: awserr.MalformedQueryString},
		{code: awserr.InvalidRequest, status: http.StatusBadRequest},
	},
	sigv4.KindMalformedTrailer: {
		{code: awserr.SerializationException},
		{code: awserr.MalformedQueryString},
		{code: awserr.MalformedTrailerError},
	},
}

// argumentAuthorization names the Authorization header as the argument S3 refused.
func argumentAuthorization(se *sigv4.Error) []awserr.Detail {
	return []awserr.Detail{{Name: "ArgumentName", Value: "Authorization"}, {Name: "ArgumentValue", Value: se.Value}}
}

// accessKeyDetail names the access key S3 does not know.
func accessKeyDetail(se *sigv4.Error) []awserr.Detail {
	if se.Value == "" {
		return nil
	}
	return []awserr.Detail{{Name: "AWSAccessKeyId", Value: se.Value}}
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
	if c.details != nil {
		e.Details = c.details(se)
	}
	return e
}

// authFailure returns the family's AWS error for a failed authentication, carrying for the
// request's log line why it failed: the kind of failure (authReasons) and the rule it broke,
// which the client's error may not say.
func authFailure(err error, f family) error {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return authError(err, f)
	}
	detail := se.Reason
	if detail == "" {
		detail = se.Message
	}
	reason, ok := authReasons[se.Kind]
	if !ok {
		reason = ReasonMalformed
	}
	return &authFailed{err: authError(err, f), reason: reason, detail: detail}
}

// missingAuth is the error for an unauthenticated request to a service that requires SigV4.
func missingAuth() error {
	return awserr.New(awserr.MissingAuthenticationTokenException, "Missing Authentication Token")
}
