// Package restxml is the S3 flavour of the REST-XML protocol: it finds the bucket and key of a
// request (path-style or virtual-hosted-style), resolves the operation from the method, the
// resource level and the sub-resource query parameters with an explicit table, and renders S3
// errors (<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error>) in one place.
//
// Reference: https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
package restxml

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/request"
)

// Target is the S3 resource a request addresses.
type Target struct {
	Bucket string // "" for service-level requests (ListBuckets)
	Key    string // "" for bucket-level requests
	Query  url.Values
}

// Level is the resource level an operation applies to.
type Level int

// The three levels of S3 resources.
const (
	ServiceLevel Level = iota
	BucketLevel
	ObjectLevel
)

// Level returns the resource level the target addresses.
func (t Target) Level() Level {
	switch {
	case t.Bucket == "":
		return ServiceLevel
	case t.Key == "":
		return BucketLevel
	}
	return ObjectLevel
}

// ParseTarget finds the bucket and key: virtual-hosted-style when the host is
// <bucket>.s3.<anything>, path-style (/<bucket>/<key>) otherwise. The key is the decoded path.
func ParseTarget(r *http.Request) (Target, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return Target{}, awserr.New(awserr.InvalidArgument, "The query string is malformed")
	}
	t := Target{Query: q}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	path := r.URL.Path
	if i := strings.Index(host, ".s3."); i > 0 {
		t.Bucket = host[:i]
		t.Key = strings.TrimPrefix(path, "/")
		return t, nil
	}
	path = strings.TrimPrefix(path, "/")
	if path == "" {
		return t, nil
	}
	t.Bucket, t.Key, _ = strings.Cut(path, "/")
	return t, nil
}

// Route is one row of an operation table: a method, a level and the sub-resource query parameter
// that selects the operation ("" for none).
type Route struct {
	Method      string
	Level       Level
	Subresource string
}

// Handler serves one S3 operation.
type Handler func(ctx context.Context, w http.ResponseWriter, r *http.Request, t Target, body io.Reader) error

// Service is S3's operation table.
type Service struct {
	Operations map[Route]Operation
	// Control is S3 Control's operation table (see IsControl).
	Control map[ControlRoute]ControlOperation
	// BucketRegion, when set, returns a bucket's region (ok is false when there is no such
	// bucket), so that a signed request for a bucket of another region gets S3's answer to a
	// request signed for the wrong region (see wrongRegion).
	BucketRegion func(ctx context.Context, bucket string) (region string, ok bool)
}

// Operation is a named handler and what its CloudTrail record says of it.
type Operation struct {
	Name    string
	Handler Handler
	Meta    request.Meta
}

// Resolve returns the operation for a request: the route with a sub-resource present in the query
// wins over the plain route; a request naming an S3 sub-resource keytrail has no route for has no
// operation (it is not the plain route with an extra parameter).
func (s *Service) Resolve(r *http.Request, t Target) (Operation, bool) {
	for sub := range t.Query {
		if op, ok := s.Operations[Route{r.Method, t.Level(), sub}]; ok {
			return op, true
		}
	}
	for sub := range t.Query {
		if subresources[sub] {
			return Operation{}, false
		}
	}
	op, ok := s.Operations[Route{r.Method, t.Level(), ""}]
	return op, ok
}

// subresources are the query parameters that select an S3 operation rather than qualify one.
var subresources = map[string]bool{}

func init() {
	for _, s := range strings.Fields(`accelerate acl analytics attributes cors delete encryption intelligent-tiering
		inventory legal-hold lifecycle location logging metrics notification object-lock ownershipControls policy
		policyStatus publicAccessBlock replication requestPayment restore retention select tagging torrent uploadId
		uploads versioning versions website`) {
		subresources[s] = true
	}
}

// Serve resolves and runs the request's operation, rendering any error, and returns the call's
// outcome (Operation "" when none matched).
func (s *Service) Serve(ctx context.Context, w http.ResponseWriter, r *http.Request, body io.Reader, requestID string, log *slog.Logger) request.Outcome {
	if IsControl(r) {
		return s.serveControl(ctx, w, r, body, requestID, log)
	}
	t, err := ParseTarget(r)
	if err != nil {
		return request.Failed(WriteError(w, err, t.resource(r), requestID, log))
	}
	op, ok := s.Resolve(r, t)
	if !ok {
		return request.Failed(WriteError(w, s.unrouted(r.Method, t.Level()), "", requestID, log)) // S3's 405 names no Resource
	}
	name := op.Name
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		// A write with a copy source is the copy operation (S3 has one route for both).
		switch name {
		case "PutObject":
			name = "CopyObject"
		case "UploadPart":
			name = "UploadPartCopy"
		}
	}
	out := request.Outcome{Operation: name, Meta: op.Meta, S3: noteS3(r, t)}
	SetRequestHeaders(w, requestID)
	if err := s.checkRegion(ctx, r, t, name); err != nil {
		out.Fail(WriteError(w, err, t.resource(r), requestID, log))
		return out
	}
	ctx, res := request.Collect(ctx)
	sw := &started{ResponseWriter: w}
	err = op.Handler(ctx, sw, r, t, completeBody{body})
	out.Resources = res.List()
	if err != nil {
		code, message := WriteError(w, s.headBucketError(ctx, name, t, err), t.resource(r), requestID, log)
		// An answer already under way (a body cut short) was the call's answer: the error is
		// the transfer's, not the call's.
		if !sw.wrote {
			out.Fail(code, message)
		}
	}
	return out
}

// started notes whether a handler began its answer.
type started struct {
	http.ResponseWriter
	wrote bool
}

func (s *started) WriteHeader(code int) {
	s.wrote = true
	s.ResponseWriter.WriteHeader(code)
}

func (s *started) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Flush lets streaming handlers flush through the writer.
func (s *started) Flush() {
	s.wrote = true
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (s *started) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// headBucketError gives a refused HeadBucket of an existing bucket its region, as S3 does: a
// client that may not use the bucket (the Go SDK's manager.GetBucketRegion asks unsigned) still
// learns where it is. https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
func (s *Service) headBucketError(ctx context.Context, op string, t Target, err error) error {
	e, ok := awserr.As(err)
	if op != "HeadBucket" || !ok || s.BucketRegion == nil {
		return err
	}
	if region, ok := s.BucketRegion(ctx, t.Bucket); ok {
		named := *e
		return withRegion(&named, region)
	}
	return err
}

// withRegion names the region of the request's bucket on e: S3 renders it with the
// x-amz-bucket-region header and a <Region> element, from which clients (botocore's
// S3RegionRedirector, the Go SDK's manager.GetBucketRegion) learn where to send the request.
func withRegion(e *awserr.Error, region string) *awserr.Error {
	e.Details = append(e.Details[:len(e.Details):len(e.Details)], awserr.Detail{Name: "Region", Value: region})
	e.Headers = append(e.Headers[:len(e.Headers):len(e.Headers)], awserr.Detail{Name: "X-Amz-Bucket-Region", Value: region})
	return e
}

// checkRegion refuses a signed request for a bucket of another region than the request's. S3
// answers CreateBucket (whose location constraint decides) and GetBucketLocation (how a client
// finds a bucket's region) in every region; unsigned requests name no region.
func (s *Service) checkRegion(ctx context.Context, r *http.Request, t Target, op string) error {
	if s.BucketRegion == nil || t.Bucket == "" || op == "CreateBucket" || op == "GetBucketLocation" {
		return nil
	}
	p, ok := identity.FromContext(ctx)
	f, has := request.FactsOf(ctx)
	if !ok || p.Type == identity.Anonymous || !has {
		return nil
	}
	want, ok := s.BucketRegion(ctx, t.Bucket)
	if !ok || want == f.Region {
		return nil
	}
	return wrongRegion(r, op, f.Region, want)
}

// wrongRegion is S3's answer to a request signed for region got for a bucket in want: 400
// AuthorizationHeaderMalformed (AuthorizationQueryParametersError for a presigned URL) naming
// both regions; HeadBucket, which has no body, answers 301. Every answer carries the bucket's
// region. https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
func wrongRegion(r *http.Request, op, got, want string) error {
	e := &awserr.Error{Code: awserr.AuthorizationHeaderMalformed, Status: http.StatusBadRequest,
		Message: fmt.Sprintf("The authorization header is malformed; the region '%s' is wrong; expecting '%s'", got, want)}
	switch {
	case op == "HeadBucket":
		e = &awserr.Error{Code: "PermanentRedirect", Status: http.StatusMovedPermanently,
			Message: "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint."}
	case r.URL.Query().Has("X-Amz-Credential"):
		e.Code = awserr.AuthorizationQueryParametersError
		e.Message = fmt.Sprintf("Error parsing the X-Amz-Credential parameter; the region '%s' is wrong; expecting '%s'", got, want)
	}
	return withRegion(e, want)
}

// recordedHeaders are the request headers an S3 call's CloudTrail record shows.
var recordedHeaders = []string{"x-amz-acl", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
	"x-amz-server-side-encryption-bucket-key-enabled", "x-amz-copy-source", "x-amz-storage-class", "x-amz-checksum-algorithm"}

// noteS3 is what the record of an S3 call shows of its request.
func noteS3(r *http.Request, t Target) *request.S3Call {
	c := &request.S3Call{Bucket: t.Bucket, Key: t.Key, Query: t.Query}
	for _, h := range recordedHeaders {
		if v := r.Header.Get(h); v != "" {
			if c.Headers == nil {
				c.Headers = map[string]string{}
			}
			c.Headers[h] = v
		}
	}
	return c
}

func (t Target) resource(r *http.Request) string {
	if t.Bucket == "" {
		return r.URL.Path
	}
	if t.Key == "" {
		return "/" + t.Bucket
	}
	return "/" + t.Bucket + "/" + t.Key
}

// SetRequestHeaders sets the request ID headers S3 puts on every response.
func SetRequestHeaders(w http.ResponseWriter, requestID string) {
	w.Header().Set("X-Amz-Request-Id", requestID)
	w.Header().Set("X-Amz-Id-2", hostID(requestID))
}

// hostID is the x-amz-id-2 of a response: an opaque token S3 pairs with the request ID for its
// support staff (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTCommonResponseHeaders.html).
// keytrail has one host, so the token is derived from the request ID, not drawn at random.
func hostID(requestID string) string {
	sum := sha256.Sum256([]byte("keytrail host id " + requestID))
	return base64.StdEncoding.EncodeToString(sum[:24])
}

type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	Details   []detailElem
	Resource  string `xml:",omitempty"`
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

// detailElem is an awserr.Detail as an XML element named after it.
type detailElem struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// WriteError renders err as an S3 error. An error that is not an *awserr.Error is an internal
// fault: it is logged, and the client gets a 500 InternalError with a generic message. It returns
// the code and message it answered.
func WriteError(w http.ResponseWriter, err error, resource, requestID string, log *slog.Logger) (code, message string) {
	e, ok := awserr.As(err)
	if !ok {
		log.Error("internal error", "request_id", requestID, "err", err)
		e = awserr.New(awserr.InternalError, "We encountered an internal error. Please try again.")
	}
	id := hostID(requestID)
	out := errorBody{Code: string(e.Code), Message: e.Message, Resource: resource, RequestID: requestID, HostID: id}
	for _, d := range e.Details {
		if d.Value != "" { // an empty element is left out, as S3 leaves it out
			out.Details = append(out.Details, detailElem{XMLName: xml.Name{Local: d.Name}, Value: d.Value})
		}
	}
	for _, h := range e.Headers {
		w.Header().Set(h.Name, h.Value)
	}
	body, _ := xml.Marshal(out)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amz-Request-Id", requestID)
	w.Header().Set("X-Amz-Id-2", id)
	w.WriteHeader(e.HTTPStatus())
	w.Write([]byte(xml.Header))
	w.Write(body)
	return string(e.Code), e.Message
}
