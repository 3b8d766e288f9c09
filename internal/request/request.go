// Package request carries what the gateway knows about an API request, for the services, the
// authorizer (aws:SourceIp, aws:SecureTransport, aws:RequestedRegion…) and, later, the recorder.
package request

import (
	"context"
	"time"
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
