// Package request carries what the gateway knows about an API request, for the services, the
// authorizer (aws:SourceIp, aws:SecureTransport, aws:RequestedRegion…) and the CloudTrail
// recorder, which reads the outcome the protocol layer and the services note on it.
package request

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
)

// Info describes one API request.
type Info struct {
	ID        string    // the request ID returned in every response
	Service   string    // kms, cloudtrail, s3, iam, sts
	Operation string    // the AWS operation name, once routed
	Region    string    // the region the request was signed for (the server's default otherwise)
	SourceIP  string    // the client's IP address
	UserAgent string    // the User-Agent header
	Secure    bool      // the request came over TLS
	Host      string    // the Host header as the client sent it
	Time      time.Time // when the gateway received the request

	TLSVersion, CipherSuite string // the connection's TLS parameters, when Secure

	// The outcome, noted before the status line is written and read by the recorder.
	Params       []byte // the request: the JSON body (kms, cloudtrail), the query form (iam, sts)
	Response     []byte // the JSON response body (kms, cloudtrail)
	Output       any    // the query-protocol result (iam, sts)
	S3           *S3Call
	ErrorCode    string
	ErrorMessage string
	Resources    []Resource
	resources    [2]Resource // Resources' first backing array

	// In-process calls one service makes to another (S3 to KMS, CloudTrail to KMS).
	InvokedBy string // the service that made the call, e.g. s3.amazonaws.com
	Delivery  bool   // made while delivering CloudTrail log files
}

// S3Call is what an S3 request's record shows of it.
type S3Call struct {
	Bucket, Key string
	Query       map[string][]string
	Headers     map[string]string // the x-amz-* request headers a record shows
	BytesIn     int64
}

// Resource is a resource a call acted on, as a CloudTrail record lists it.
type Resource struct {
	Type    string // e.g. AWS::KMS::Key
	ARN     string
	Account string // the owner
}

// AddResource notes a resource the call acted on, once.
func (i *Info) AddResource(typ, arn, account string) {
	if i == nil {
		return
	}
	for _, r := range i.Resources {
		if r.ARN == arn && r.Type == typ {
			return
		}
	}
	if i.Resources == nil {
		i.Resources = i.resources[:0]
	}
	i.Resources = append(i.Resources, Resource{Type: typ, ARN: arn, Account: account})
}

// AddResource notes a resource on the request ctx carries when that request is a call to
// service: a call one service makes to another in-process is not the other's call.
func AddResource(ctx context.Context, service, typ, arn, account string) {
	if info := FromContext(ctx); info != nil && info.Service == service {
		info.AddResource(typ, arn, account)
	}
}

// Recorder records an answered call, made by p, for CloudTrail.
type Recorder interface {
	Record(info *Info, p identity.Principal) error
}

type ctxKey struct{}

// WithInfo returns a context carrying info.
func WithInfo(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, ctxKey{}, info)
}

// FromContext returns the request information a context carries; nil for in-process calls.
func FromContext(ctx context.Context) *Info {
	info, _ := ctx.Value(ctxKey{}).(*Info)
	return info
}

// Internal returns the context of an in-process call to service's operation made while serving
// ctx's request (or while delivering), with a fresh Info of its own that records the call.
func Internal(ctx context.Context, service, operation, invokedBy string, now time.Time) (context.Context, *Info) {
	parent := FromContext(ctx)
	info := &Info{ID: NewID(), Service: service, Operation: operation, SourceIP: invokedBy, UserAgent: invokedBy,
		Time: now.UTC(), InvokedBy: invokedBy}
	if parent != nil {
		info.Region, info.Delivery = parent.Region, parent.Delivery
	}
	return WithInfo(ctx, info), info
}

// carrier is a ResponseWriter that carries its request's Info.
type carrier interface{ RequestInfo() *Info }

// Of returns the Info a ResponseWriter carries; nil when it carries none.
func Of(w http.ResponseWriter) *Info {
	if c, ok := w.(carrier); ok {
		return c.RequestInfo()
	}
	return nil
}

// NoteError notes an error answer on w's request.
func NoteError(w http.ResponseWriter, code, message string) {
	if i := Of(w); i != nil {
		i.ErrorCode, i.ErrorMessage = code, message
	}
}

// NewID returns a random UUID: request IDs and CloudTrail event IDs.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	hex.Encode(out[9:13], b[4:6])
	hex.Encode(out[14:18], b[6:8])
	hex.Encode(out[19:23], b[8:10])
	hex.Encode(out[24:36], b[10:16])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
}
