package console

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// clients are the SDK clients of one page request, signed with the session's credentials and
// sent through the gateway in process.
type clients struct {
	cfg aws.Config
}

// apiEndpoint is the endpoint of the console's SDK clients. Their requests never leave the
// process, so the host only has to route as keytrail routes: "localhost" keeps S3 calls
// path-style whatever host the browser used (a host holding ".s3." would make them
// virtual-hosted).
const apiEndpoint = "http://localhost"

// clientsFor returns the SDK clients a page of r uses for session ss: requests go to
// keytrail's gateway in process, carrying the browser's address as their source and the
// console's user agent.
func (c *Console) clientsFor(r *http.Request, ss *session) *clients {
	creds := ss.creds
	cfg := aws.Config{
		Region:       c.region,
		Credentials:  aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil }),
		HTTPClient:   &http.Client{Transport: &handlerTransport{h: c.api, remoteAddr: r.RemoteAddr}},
		BaseEndpoint: aws.String(apiEndpoint),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Build.Add(userAgent(c.userAgent), middleware.After)
	})
	return &clients{cfg: cfg}
}

func (cl *clients) kms() *kms.Client { return kms.NewFromConfig(cl.cfg) }
func (cl *clients) iam() *iam.Client { return iam.NewFromConfig(cl.cfg) }
func (cl *clients) sts() *sts.Client { return sts.NewFromConfig(cl.cfg) }

func (cl *clients) cloudtrail() *cloudtrail.Client { return cloudtrail.NewFromConfig(cl.cfg) }
func (cl *clients) s3() *s3.Client                 { return s3.NewFromConfig(cl.cfg, pathStyle) }

// userAgent sets the console's User-Agent on every request, replacing the SDK's: CloudTrail
// records it as the event's userAgent.
func userAgent(ua string) middleware.BuildMiddleware {
	return middleware.BuildMiddlewareFunc("KeytrailConsoleUserAgent", func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
		if req, ok := in.Request.(*smithyhttp.Request); ok {
			req.Header.Set("User-Agent", ua)
		}
		return next.HandleBuild(ctx, in)
	})
}

// handlerTransport is an http.RoundTripper that serves each request with h (the gateway) in
// the caller's goroutine. The request passes through its wire form, so h sees what a server
// reads off a connection (RequestURI, Host, Content-Length), from the browser's address.
type handlerTransport struct {
	h          http.Handler
	remoteAddr string
}

// RoundTrip implements http.RoundTripper.
func (t *handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var wire bytes.Buffer
	if err := r.Write(&wire); err != nil { // closes r.Body, as a RoundTripper must
		return nil, err
	}
	sr, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		return nil, err
	}
	sr = sr.WithContext(r.Context())
	sr.RemoteAddr = t.remoteAddr
	w := &responseBuffer{header: http.Header{}}
	t.h.ServeHTTP(w, sr)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return &http.Response{
		Status: strconv.Itoa(w.status) + " " + http.StatusText(w.status), StatusCode: w.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.header, Body: io.NopCloser(&w.body), ContentLength: int64(w.body.Len()), Request: r,
	}, nil
}

// responseBuffer is the http.ResponseWriter of an in-process request: it keeps the answer.
type responseBuffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *responseBuffer) Header() http.Header { return w.header }

func (w *responseBuffer) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *responseBuffer) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}
