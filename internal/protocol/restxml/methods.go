package restxml

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
)

// s3Methods are the HTTP methods S3 has operations for.
var s3Methods = []string{http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut}

// resourceTypes name the levels as S3's MethodNotAllowed error does.
var resourceTypes = map[Level]string{ServiceLevel: "SERVICE", BucketLevel: "BUCKET", ObjectLevel: "OBJECT"}

// unrouted is the error for a request no route matches: a method S3 has no operation for at the
// resource's level is 405 MethodNotAllowed, which names the method and the type of resource it
// refused and lists the methods allowed in an Allow header (a capture of AWS's reply:
// https://github.com/versity/versitygw/issues/1810); a known method with a sub-resource or
// header combination keytrail does not implement is 501 NotImplemented.
func (s *Service) unrouted(method string, level Level) error {
	var allow []string
	for route := range s.Operations {
		if route.Level == level && !slices.Contains(allow, route.Method) {
			allow = append(allow, route.Method)
		}
	}
	slices.Sort(allow)
	if !slices.Contains(s3Methods, method) || !slices.Contains(allow, method) {
		e := awserr.New(awserr.MethodNotAllowed, "The specified method is not allowed against this resource.")
		e.Details = []awserr.Detail{{Name: "Method", Value: method}, {Name: "ResourceType", Value: resourceTypes[level]}}
		e.Headers = []awserr.Detail{{Name: "Allow", Value: strings.Join(allow, ", ")}}
		return e
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

// InvalidArgument returns S3's InvalidArgument naming the argument (a header or query
// parameter) and the value it refused, as S3 answers an unknown canned ACL or a max-keys that is
// not a number: <ArgumentName>x-amz-acl</ArgumentName><ArgumentValue>privatee</ArgumentValue>
// (a capture of AWS's reply: https://github.com/versity/versitygw/issues/1379).
func InvalidArgument(name, value, message string) *awserr.Error {
	e := awserr.New(awserr.InvalidArgument, "%s", message)
	e.Details = []awserr.Detail{{Name: "ArgumentName", Value: name}, {Name: "ArgumentValue", Value: value}}
	return e
}
