// Package awserr holds keytrail's one error type: an AWS error code, a message and an HTTP status.
//
// Services return *Error for every failure a client caused; anything else is an internal fault,
// which the protocol layer logs and answers with a generic message. The wire shape of an error is
// rendered by the protocol packages (awsjson, awsquery, restxml) in exactly one place each.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is an AWS error code as it appears on the wire.
type Code string

// Codes shared by several services, or used by the gateway itself.
const (
	// Authentication (see the contract's Errors table).
	UnrecognizedClientException         Code = "UnrecognizedClientException"
	InvalidSignatureException           Code = "InvalidSignatureException"
	IncompleteSignatureException        Code = "IncompleteSignatureException"
	MissingAuthenticationTokenException Code = "MissingAuthenticationTokenException"
	ExpiredTokenException               Code = "ExpiredTokenException"
	InvalidClientTokenID                Code = "InvalidClientTokenId"
	SignatureDoesNotMatch               Code = "SignatureDoesNotMatch"
	IncompleteSignature                 Code = "IncompleteSignature"
	ExpiredToken                        Code = "ExpiredToken"
	RequestTimeTooSkewed                Code = "RequestTimeTooSkewed"
	InvalidAccessKeyID                  Code = "InvalidAccessKeyId"
	InvalidToken                        Code = "InvalidToken"
	AuthorizationHeaderMalformed        Code = "AuthorizationHeaderMalformed"
	AuthorizationQueryParametersError   Code = "AuthorizationQueryParametersError"
	XAmzContentSHA256Mismatch           Code = "XAmzContentSHA256Mismatch"
	IncompleteBody                      Code = "IncompleteBody"
	BadDigest                           Code = "BadDigest"
	MalformedTrailerError               Code = "MalformedTrailerError"

	// Authorization.
	AccessDeniedException Code = "AccessDeniedException"
	AccessDenied          Code = "AccessDenied"

	// Request shape.
	ValidationException       Code = "ValidationException"
	SerializationException    Code = "SerializationException"
	UnknownOperationException Code = "UnknownOperationException"
	ValidationError           Code = "ValidationError"
	InvalidAction             Code = "InvalidAction"
	MissingAction             Code = "MissingAction"
	InvalidParameterValue     Code = "InvalidParameterValue"
	MalformedQueryString      Code = "MalformedQueryString"
	InvalidArgument           Code = "InvalidArgument"
	InvalidRequest            Code = "InvalidRequest"
	MalformedXML              Code = "MalformedXML"
	NotImplemented            Code = "NotImplemented"
	MethodNotAllowed          Code = "MethodNotAllowed"
	RequestEntityTooLarge     Code = "RequestEntityTooLarge"

	// Internal faults.
	InternalFailure Code = "InternalFailure"
	InternalError   Code = "InternalError"

	// IAM.
	NoSuchEntity            Code = "NoSuchEntity"
	EntityAlreadyExists     Code = "EntityAlreadyExists"
	DeleteConflict          Code = "DeleteConflict"
	LimitExceeded           Code = "LimitExceeded"
	MalformedPolicyDocument Code = "MalformedPolicyDocument"
	InvalidInput            Code = "InvalidInput"
	PasswordPolicyViolation Code = "PasswordPolicyViolation"
	InvalidUserType         Code = "InvalidUserType"

	// STS.
	RegionDisabledException Code = "RegionDisabledException"
	PackedPolicyTooLarge    Code = "PackedPolicyTooLarge"

	// KMS (botocore-kms exception shapes; all 400 but KMSInternalException).
	NotFoundException                Code = "NotFoundException"
	DisabledException                Code = "DisabledException"
	KMSInvalidStateException         Code = "KMSInvalidStateException"
	InvalidCiphertextException       Code = "InvalidCiphertextException"
	IncorrectKeyException            Code = "IncorrectKeyException"
	MalformedPolicyDocumentException Code = "MalformedPolicyDocumentException"
	InvalidKeyUsageException         Code = "InvalidKeyUsageException"
	InvalidArnException              Code = "InvalidArnException"
	AlreadyExistsException           Code = "AlreadyExistsException"
	InvalidAliasNameException        Code = "InvalidAliasNameException"
	LimitExceededException           Code = "LimitExceededException"
	UnsupportedOperationException    Code = "UnsupportedOperationException"
	InvalidMarkerException           Code = "InvalidMarkerException"
	InvalidGrantTokenException       Code = "InvalidGrantTokenException"
	InvalidGrantIDException          Code = "InvalidGrantIdException"
	TagException                     Code = "TagException"
	DryRunOperationException         Code = "DryRunOperationException"
	KMSInternalException             Code = "KMSInternalException"

	// S3.
	NoSuchBucket                       Code = "NoSuchBucket"
	BucketAlreadyExists                Code = "BucketAlreadyExists"
	BucketAlreadyOwnedByYou            Code = "BucketAlreadyOwnedByYou"
	InvalidBucketName                  Code = "InvalidBucketName"
	BucketNotEmpty                     Code = "BucketNotEmpty"
	NoSuchBucketPolicy                 Code = "NoSuchBucketPolicy"
	MalformedPolicy                    Code = "MalformedPolicy"
	IllegalLocationConstraintException Code = "IllegalLocationConstraintException"
	InvalidLocationConstraint          Code = "InvalidLocationConstraint"
	NoSuchKey                          Code = "NoSuchKey"
	InvalidDigest                      Code = "InvalidDigest"
	InvalidRange                       Code = "InvalidRange"
	PreconditionFailed                 Code = "PreconditionFailed"
	NoSuchUpload                       Code = "NoSuchUpload"
	InvalidPart                        Code = "InvalidPart"
	InvalidPartOrder                   Code = "InvalidPartOrder"
	EntityTooSmall                     Code = "EntityTooSmall"
	NoSuchTagSet                       Code = "NoSuchTagSet"
	InvalidTag                         Code = "InvalidTag"
)

// statuses maps a code to the HTTP status AWS answers it with. Codes not listed answer 400.
var statuses = map[Code]int{
	MissingAuthenticationTokenException: http.StatusForbidden,
	InvalidClientTokenID:                http.StatusForbidden,
	SignatureDoesNotMatch:               http.StatusForbidden,
	IncompleteSignature:                 http.StatusBadRequest,
	RequestTimeTooSkewed:                http.StatusForbidden,
	InvalidAccessKeyID:                  http.StatusForbidden,
	AccessDenied:                        http.StatusForbidden,
	NotImplemented:                      http.StatusNotImplemented,
	MethodNotAllowed:                    http.StatusMethodNotAllowed,
	RequestEntityTooLarge:               http.StatusRequestEntityTooLarge,
	InternalFailure:                     http.StatusInternalServerError,
	InternalError:                       http.StatusInternalServerError,
	NoSuchEntity:                        http.StatusNotFound,
	EntityAlreadyExists:                 http.StatusConflict,
	DeleteConflict:                      http.StatusConflict,
	LimitExceeded:                       http.StatusConflict,
	ExpiredToken:                        http.StatusBadRequest,
	InvalidToken:                        http.StatusBadRequest,
	KMSInternalException:                http.StatusInternalServerError,
	NoSuchBucket:                        http.StatusNotFound,
	BucketAlreadyExists:                 http.StatusConflict,
	BucketAlreadyOwnedByYou:             http.StatusConflict,
	BucketNotEmpty:                      http.StatusConflict,
	NoSuchBucketPolicy:                  http.StatusNotFound,
	NoSuchKey:                           http.StatusNotFound,
	InvalidRange:                        http.StatusRequestedRangeNotSatisfiable,
	PreconditionFailed:                  http.StatusPreconditionFailed,
	NoSuchUpload:                        http.StatusNotFound,
	NoSuchTagSet:                        http.StatusNotFound,
}

// Status returns the HTTP status AWS uses for the code.
func (c Code) Status() int {
	if s, ok := statuses[c]; ok {
		return s
	}
	return http.StatusBadRequest
}

// Error is an AWS error: what the client did wrong, or (Fault) what the server failed to do.
type Error struct {
	Code    Code
	Message string
	// Status overrides Code.Status() when non-zero; S3 uses the same code with several statuses.
	Status int
	// Details are the extra elements S3 puts in some error bodies (ArgumentName, ArgumentValue,
	// AWSAccessKeyId, Method, Region, …), in order; the other protocols have no place for them.
	Details []Detail
	// Headers are response headers S3 sends with some errors (Allow, x-amz-bucket-region).
	Headers []Detail
}

// Detail is one extra element of an S3 error body, or one header of its response.
type Detail struct{ Name, Value string }

// New returns an error with the code and a formatted message.
func New(code Code, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Code: code, Message: format}
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// HTTPStatus is the status the error is answered with.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	return e.Code.Status()
}

// Fault reports whether the error is the server's fault (a 5xx).
func (e *Error) Fault() bool { return e.HTTPStatus() >= 500 }

// As returns err as an *Error when it is one (or wraps one).
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// HasCode reports whether err is an *Error with the code.
func HasCode(err error, code Code) bool {
	e, ok := As(err)
	return ok && e.Code == code
}
