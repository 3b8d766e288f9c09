package restxml

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/request"
)

// S3 Control is S3's account-level REST-XML API: requests under /v20180820/ that name the
// account in the x-amz-account-id header, sent to <account ID>.s3-control.<region>.amazonaws.com
// (a client with a custom endpoint puts the account ID before its host name), signed for "s3"
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_AWS_S3_Control.html). Its
// errors are wrapped in an ErrorResponse element.

// controlPrefix is the path every S3 Control request starts with.
const controlPrefix = "/v20180820/"

// ControlNamespace is S3 Control's XML namespace.
const ControlNamespace = "http://awss3control.amazonaws.com/doc/2018-08-20/"

// IsControl reports whether a request is an S3 Control request rather than an S3 one: its path
// is under /v20180820/ and it names an account. (A bucket may be named v20180820: requests to it
// name no account.)
func IsControl(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, controlPrefix) && r.Header.Get("X-Amz-Account-Id") != ""
}

// ControlTarget is what an S3 Control request addresses: the account, the kind of resource (the
// first path segment after the version: "tags") and the rest of the path (for "tags", the
// resource's ARN).
type ControlTarget struct {
	Account  string
	Resource string
	Path     string
}

// ControlHandler serves one S3 Control operation.
type ControlHandler func(ctx context.Context, w http.ResponseWriter, r *http.Request, t ControlTarget, body io.Reader) error

// ControlOperation is a named S3 Control handler and what its CloudTrail record says of it.
type ControlOperation struct {
	Name    string
	Handler ControlHandler
	Meta    request.Meta
}

// ControlRoute is one row of S3 Control's operation table: a method and a resource kind.
type ControlRoute struct {
	Method   string
	Resource string
}

// serveControl runs an S3 Control request's operation, rendering any error, and returns the
// call's outcome.
func (s *Service) serveControl(ctx context.Context, w http.ResponseWriter, r *http.Request, body io.Reader, requestID string, log *slog.Logger) request.Outcome {
	rest := strings.TrimPrefix(r.URL.Path, controlPrefix)
	t := ControlTarget{Account: r.Header.Get("X-Amz-Account-Id")}
	t.Resource, t.Path, _ = strings.Cut(rest, "/")
	op, ok := s.Control[ControlRoute{r.Method, t.Resource}]
	if !ok {
		return request.Failed(WriteControlError(w, awserr.New(awserr.MethodNotAllowed, "The specified method is not allowed against this resource."), requestID, log))
	}
	out := request.Outcome{Operation: op.Name, Meta: op.Meta, S3: &request.S3Call{Query: r.URL.Query()}}
	w.Header().Set("X-Amz-Request-Id", requestID)
	w.Header().Set("X-Amz-Id-2", hostID(requestID))
	ctx, res := request.Collect(ctx)
	err := op.Handler(ctx, w, r, t, completeBody{body})
	out.Resources = res.List()
	if err != nil {
		out.Fail(WriteControlError(w, err, requestID, log))
	}
	return out
}

type controlErrorBody struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
}

// WriteControlError renders err as an S3 Control error (<ErrorResponse><Error><Code>…). An error
// that is not an *awserr.Error is an internal fault, logged and answered 500 InternalError. It
// returns the code and message it answered.
func WriteControlError(w http.ResponseWriter, err error, requestID string, log *slog.Logger) (code, message string) {
	e, ok := awserr.As(err)
	if !ok {
		log.Error("internal error", "request_id", requestID, "err", err)
		e = awserr.New(awserr.InternalError, "We encountered an internal error. Please try again.")
	}
	id := hostID(requestID)
	body, _ := xml.Marshal(controlErrorBody{Code: string(e.Code), Message: e.Message, RequestID: requestID, HostID: id})
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amz-Request-Id", requestID)
	w.Header().Set("X-Amz-Id-2", id)
	w.WriteHeader(e.HTTPStatus())
	w.Write([]byte(xml.Header))
	w.Write(body)
	return string(e.Code), e.Message
}
