package restxml

import (
	"errors"
	"io"
	"net/http"
	"slices"

	"github.com/keytrail/keytrail/internal/awserr"
)

// s3Methods are the HTTP methods S3 has operations for.
var s3Methods = []string{http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut}

// resourceTypes name the levels as S3's MethodNotAllowed error does.
var resourceTypes = map[Level]string{ServiceLevel: "SERVICE", BucketLevel: "BUCKET", ObjectLevel: "OBJECT"}

// MethodError is S3's 405 MethodNotAllowed: besides the code and message, S3 names the method and
// the type of resource it refused, and lists the methods it allows in an Allow header.
// Example answers: https://github.com/versity/versitygw/issues/1810 (a capture of AWS's reply).
type MethodError struct {
	Err                  *awserr.Error
	Method, ResourceType string
	Allow                []string
}

func (e *MethodError) Error() string { return e.Err.Error() }

// Unwrap lets awserr.As find the AWS error.
func (e *MethodError) Unwrap() error { return e.Err }

// unrouted is the error for a request no route matches: a method S3 has no operation for at the
// resource's level is 405 MethodNotAllowed; a known method with a sub-resource or header
// combination keytrail does not implement is 501 NotImplemented.
func (s *Service) unrouted(method string, level Level) error {
	var allow []string
	for route := range s.Operations {
		if route.Level == level && !slices.Contains(allow, route.Method) {
			allow = append(allow, route.Method)
		}
	}
	slices.Sort(allow)
	if !slices.Contains(s3Methods, method) || !slices.Contains(allow, method) {
		return &MethodError{Err: awserr.New(awserr.MethodNotAllowed, "The specified method is not allowed against this resource."),
			Method: method, ResourceType: resourceTypes[level], Allow: allow}
	}
	return awserr.New(awserr.NotImplemented, "A header or query you provided implies functionality that is not implemented.")
}

// completeBody turns a body that ends before its Content-Length into S3's IncompleteBody, so
// that no operation mistakes a cut body for a fault of its own (a 500) or stores it.
type completeBody struct{ r io.Reader }

func (b completeBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = awserr.New(awserr.IncompleteBody, "You did not provide the number of bytes specified by the Content-Length HTTP header")
	}
	return n, err
}

// ArgumentError is S3's InvalidArgument naming the argument (a header or query parameter) and
// the value it refused, as S3 answers an unknown canned ACL or a max-keys that is not a number:
// <ArgumentName>x-amz-acl</ArgumentName><ArgumentValue>privatee</ArgumentValue>
// (a capture of AWS's reply: https://github.com/versity/versitygw/issues/1379).
type ArgumentError struct {
	Err         *awserr.Error
	Name, Value string
}

// InvalidArgument returns S3's InvalidArgument for the named argument's value.
func InvalidArgument(name, value, message string) *ArgumentError {
	return &ArgumentError{Err: awserr.New(awserr.InvalidArgument, "%s", message), Name: name, Value: value}
}

func (e *ArgumentError) Error() string { return e.Err.Error() }

// Unwrap lets awserr.As find the AWS error.
func (e *ArgumentError) Unwrap() error { return e.Err }
