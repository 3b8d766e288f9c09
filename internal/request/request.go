// Package request carries an API call from the gateway to the recorder in two halves that never
// share mutable state:
//
//   - Facts: what the gateway knows when the request arrives (ID, service, region, source IP,
//     user agent, host, TLS, time). They are put in the context once, as a value, and read by
//     the services (Begin), the authorizer (aws:SourceIp, aws:SecureTransport,
//     aws:RequestedRegion…) and the recorder; nothing writes them afterwards. A call one service
//     makes to another in-process has facts of its own (InProcess).
//   - Outcome: what became of the call (operation, its CloudTrail metadata, error, resources,
//     parameters, response), returned by the protocol layer's Serve and handed by the gateway,
//     with the facts and the caller, to the Recorder.
//
// The resources a call acted on are the one part of the outcome found below the protocol layer:
// the protocol layer opens a collector for each operation (Collect), the authorizer notes the
// resources of each authorization in it (Note), and the protocol layer returns them in the outcome.
package request

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
)

// Facts describe one API request as the gateway received it. They are immutable once in a
// context: WithFacts stores a copy, FactsOf returns a copy.
type Facts struct {
	ID        string    // the request ID returned in every response
	Service   string    // kms, cloudtrail, s3, iam, sts
	Region    string    // the region the request was signed for (the server's default otherwise)
	SourceIP  string    // the client's IP address
	UserAgent string    // the User-Agent header
	Secure    bool      // the request came over TLS
	Host      string    // the Host header as the client sent it
	Time      time.Time // when the gateway received the request

	TLSVersion, CipherSuite string // the connection's TLS parameters, when Secure

	// In-process calls one service makes to another (S3 to KMS, CloudTrail to KMS).
	InvokedBy string // the service that made the call, e.g. s3.amazonaws.com
	Delivery  bool   // made while delivering CloudTrail log files
	// Outer is the ID of the client's request an in-process call was made for (the one the
	// client was answered with), "" for that request itself and for calls made outside any.
	Outer string
}

type factsKey struct{}

// WithFacts returns a context carrying (a copy of) f.
func WithFacts(ctx context.Context, f Facts) context.Context {
	return context.WithValue(ctx, factsKey{}, &f)
}

// FactsOf returns the facts of the request ctx belongs to; false when it carries none (a call
// made outside any request, e.g. the KMS sweep).
func FactsOf(ctx context.Context) (Facts, bool) {
	if f, ok := ctx.Value(factsKey{}).(*Facts); ok {
		return *f, true
	}
	return Facts{}, false
}

// InProcess returns the context of a call to service that another keytrail service makes
// in-process while serving ctx's request (or while delivering): a request of its own, with facts
// of its own and a collector of its own for the resources it acts on. It is made from the
// calling service (its source IP, user agent and invokedBy, as AWS records the calls services
// make for their callers: the service of the parent request, or, when the parent is itself an
// in-process call or there is none, the calling principal's), with an ID read from random, at now, in the parent's region
// unless InRegion names another, with the parent's delivery flag.
func InProcess(ctx context.Context, service string, now time.Time, random io.Reader) (context.Context, Facts, *Resources) {
	p, _ := identity.FromContext(ctx)
	invokedBy := p.Service
	parent, ok := FactsOf(ctx)
	if ok && parent.InvokedBy == "" && parent.Service != "" {
		invokedBy = parent.Service + ".amazonaws.com"
	}
	f := Facts{ID: NewID(random), Service: service, SourceIP: invokedBy, UserAgent: invokedBy, Time: now.UTC(), InvokedBy: invokedBy}
	if ok {
		f.Region, f.Delivery, f.Outer = parent.Region, parent.Delivery, parent.Outer
		if f.Outer == "" {
			f.Outer = parent.ID
		}
	}
	if r, ok := ctx.Value(regionKey{}).(string); ok {
		f.Region = r
	}
	ctx, res := Collect(WithFacts(ctx, f))
	return ctx, f, res
}

type regionKey struct{}

// InRegion returns the context of an in-process call that one service makes to another in
// region, whatever region its own request was signed for (S3 uses KMS keys of its bucket's
// region; CloudTrail checks a trail's key in its bucket's region).
func InRegion(ctx context.Context, region string) context.Context {
	return context.WithValue(ctx, regionKey{}, region)
}

// Call is what every service operation knows about its request: the caller and the region.
// kms, s3 and cloudtrail begin each operation with Begin.
type Call struct {
	Ctx    context.Context //nolint:containedctx // a Call lives for one operation, as its ctx does
	P      identity.Principal
	Region string
}

// Begin returns the Call of ctx's request: the caller and the region (an in-process call's
// InRegion, else the request's, else defaultRegion). ok is false when ctx carries no caller.
func Begin(ctx context.Context, defaultRegion string) (c *Call, ok bool) {
	p, ok := identity.FromContext(ctx)
	region := defaultRegion
	if f, has := ctx.Value(factsKey{}).(*Facts); has && f.Region != "" {
		region = f.Region
	}
	if r, has := ctx.Value(regionKey{}).(string); has {
		region = r
	}
	return &Call{Ctx: ctx, P: p, Region: region}, ok
}

// Meta is what a CloudTrail record says of an operation, declared once, in the service's
// operation table.
type Meta struct {
	ReadOnly bool // the record's readOnly
	Data     bool // a data event (S3 object operations), not a management event
	Global   bool // a global service's (IAM): recorded in us-east-1 whatever region the call named
}

// Outcome is what became of one call, as its protocol layer answered it.
type Outcome struct {
	Operation string // the AWS operation name; "" when the request named none keytrail serves
	Meta      Meta

	ErrorCode, ErrorMessage string // the error answered, if any

	// The request, as its record's requestParameters render it: exactly one is set.
	Params []byte  // a JSON request body (kms, cloudtrail, and in-process calls)
	Form   []byte  // a query-protocol form (iam, sts)
	S3     *S3Call // an S3 request

	Response []byte // the JSON response body (kms, cloudtrail)
	Output   any    // the query-protocol result (iam, sts)

	Resources []Resource // the resources the call acted on
}

// Fail notes the error the call was answered with.
func (o *Outcome) Fail(code, message string) { o.ErrorCode, o.ErrorMessage = code, message }

// Failed is the outcome of a request answered with an error before it reached an operation:
// not recorded (it names no operation), but logged and counted with its code.
func Failed(code, message string) Outcome { return Outcome{ErrorCode: code, ErrorMessage: message} }

// S3Call is what an S3 request's record shows of it.
type S3Call struct {
	Bucket, Key string
	Query       map[string][]string
	Headers     map[string]string // the x-amz-* request headers a record shows
}

// Resource is a resource a call acted on, as a CloudTrail record lists it.
type Resource struct {
	Type    string // e.g. AWS::KMS::Key
	ARN     string
	Account string // the owner
}

// Resources collects the resources one operation acts on.
type Resources struct {
	list  []Resource
	first [2]Resource // list's first backing array
}

type resourcesKey struct{}

// collecting is the context of an operation with its collector: one allocation for both.
type collecting struct {
	context.Context
	res Resources
}

func (c *collecting) Value(key any) any {
	if _, ok := key.(resourcesKey); ok {
		return &c.res
	}
	return c.Context.Value(key)
}

// Collect returns the context of one operation, with a collector of its own for the resources
// it acts on: notes made below it (and not below a nested Collect) land there.
func Collect(ctx context.Context) (context.Context, *Resources) {
	c := &collecting{Context: ctx}
	c.res.list = c.res.first[:0]
	return c, &c.res
}

// Note notes resources the operation ctx belongs to acts on, each once; a context without a
// collector (a call made outside any recorded operation) keeps none.
func Note(ctx context.Context, rs ...Resource) {
	c, _ := ctx.Value(resourcesKey{}).(*Resources)
	if c == nil {
		return
	}
	for _, r := range rs {
		c.add(r)
	}
}

func (c *Resources) add(r Resource) {
	for _, have := range c.list {
		if have.ARN == r.ARN && have.Type == r.Type {
			return
		}
	}
	c.list = append(c.list, r)
}

// List returns the resources noted so far, in the order first noted; nil when none.
func (c *Resources) List() []Resource {
	if c == nil || len(c.list) == 0 {
		return nil
	}
	return c.list
}

// Recorder records a call for CloudTrail: its facts, its outcome and its caller.
type Recorder interface {
	Record(f *Facts, o *Outcome, p identity.Principal) error
}

// NewID returns a random (version 4) UUID read from r, crypto/rand when r is nil: request IDs
// and CloudTrail event IDs. A reader that fails leaves the bytes it did not fill zero.
func NewID(r io.Reader) string {
	if r == nil {
		r = rand.Reader
	}
	var b [16]byte
	_, _ = io.ReadFull(r, b[:])
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
