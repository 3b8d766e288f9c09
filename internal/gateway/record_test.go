package gateway_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/gateway"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/protocol/awsquery"
	"github.com/keytrail/keytrail/internal/protocol/restxml"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/sigv4"
)

// recorded is one call the gateway handed to the recorder, and how much of the answer the client
// could have had by then.
type recorded struct {
	f       request.Facts
	o       request.Outcome
	p       identity.Principal
	written int
}

// probe records what the recorder is handed, and the body written so far to w.
type probe struct {
	w     *httptest.ResponseRecorder
	calls []recorded
}

func (p *probe) Record(f *request.Facts, o *request.Outcome, who identity.Principal) error {
	p.calls = append(p.calls, recorded{f: *f, o: *o, p: who, written: p.w.Body.Len()})
	return nil
}

type echoIn struct {
	KeyID string `json:"KeyId"`
}
type echoOut struct{ Greeting string }

// recordingGateway serves kms (Describe echoes a large greeting and notes a key; Fail is denied),
// sts (GetCallerIdentity) and S3 (GET object streams a large body).
func recordingGateway(rec request.Recorder) *gateway.Gateway {
	key := request.Resource{Type: "AWS::KMS::Key", ARN: "arn:aws:kms:eu-west-1:111122223333:key/k", Account: account}
	big := strings.Repeat("x", 64<<10)
	kms := &awsjson.Service{Name: "kms", Prefixes: []string{"TrentService"}, Operations: map[string]awsjson.Handler{
		"DescribeKey": awsjson.Handle(func(ctx context.Context, in *echoIn) (*echoOut, error) {
			request.Note(ctx, key)
			return &echoOut{Greeting: in.KeyID + big}, nil
		}).ReadOnly(),
		"CreateKey": awsjson.Handle(func(ctx context.Context, _ *echoIn) (*echoOut, error) {
			request.Note(ctx, key)
			return nil, awserr.New(awserr.AccessDeniedException, "not you")
		}),
	}}
	sts := &awsquery.Service{Name: "sts", Version: "2011-06-15", Namespace: "https://sts.amazonaws.com/doc/2011-06-15/",
		Operations: map[string]awsquery.Handler{
			"GetCallerIdentity": awsquery.Handle(func(context.Context, *struct{}) (*echoOut, error) { return &echoOut{Greeting: "hi"}, nil }).ReadOnly(),
		}}
	s3 := &restxml.Service{Operations: map[restxml.Route]restxml.Operation{
		{Method: "GET", Level: restxml.ObjectLevel}: {Name: "GetObject", Meta: request.Meta{ReadOnly: true, Data: true},
			Handler: func(_ context.Context, w http.ResponseWriter, _ *http.Request, _ restxml.Target, _ io.Reader) error {
				for range 4 {
					if _, err := io.WriteString(w, big); err != nil {
						return err
					}
				}
				return nil
			}},
	}}
	return gateway.New(gateway.Config{Region: "us-east-1", Logger: slog.New(slog.DiscardHandler), Verifier: sigv4.NewVerifier(oneAccount{}, nil),
		JSON: []*awsjson.Service{kms}, Query: []*awsquery.Service{sts}, S3: s3, Recorder: rec})
}

// signed is a request signed by the account's root for service in region.
func signed(t *testing.T, method, target, service, region string, body []byte, header map[string]string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	for k, v := range header {
		r.Header.Set(k, v)
	}
	payload := sigv4.BodyHash(body)
	r.Header.Set("X-Amz-Content-Sha256", payload)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: account, SecretAccessKey: secret}, r, payload, service, region, time.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}

// The gateway hands each authenticated call's facts, outcome and caller to the recorder before
// the client has the whole answer (the last byte is held back until the call is recorded), and
// the answer then goes out whole.
func TestRecordBeforeTheAnswerIsComplete(t *testing.T) {
	jsonHeader := func(op string) map[string]string {
		return map[string]string{"X-Amz-Target": "TrentService." + op, "Content-Type": "application/x-amz-json-1.1"}
	}
	form := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	for _, c := range []struct {
		name    string
		r       func(t *testing.T) *http.Request
		service string
		want    request.Outcome
	}{
		{"kms, read", func(t *testing.T) *http.Request {
			return signed(t, "POST", "/", "kms", "eu-west-1", []byte(`{"KeyId":"a"}`), jsonHeader("DescribeKey"))
		}, "kms", request.Outcome{Operation: "DescribeKey", Meta: request.Meta{ReadOnly: true}, Params: []byte(`{"KeyId":"a"}`),
			Resources: []request.Resource{{Type: "AWS::KMS::Key", ARN: "arn:aws:kms:eu-west-1:111122223333:key/k", Account: account}}}},
		{"kms, refused", func(t *testing.T) *http.Request {
			return signed(t, "POST", "/", "kms", "eu-west-1", []byte(`{}`), jsonHeader("CreateKey"))
		}, "kms", request.Outcome{Operation: "CreateKey", Params: []byte(`{}`), ErrorCode: "AccessDeniedException", ErrorMessage: "not you",
			Resources: []request.Resource{{Type: "AWS::KMS::Key", ARN: "arn:aws:kms:eu-west-1:111122223333:key/k", Account: account}}}},
		{"sts", func(t *testing.T) *http.Request {
			return signed(t, "POST", "/", "sts", "eu-west-1", form, map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		}, "sts", request.Outcome{Operation: "GetCallerIdentity", Meta: request.Meta{ReadOnly: true}, Form: form}},
		{"s3, streamed", func(t *testing.T) *http.Request {
			return signed(t, "GET", "/bucket/key?versionId=1", "s3", "eu-west-1", nil, nil)
		}, "s3", request.Outcome{Operation: "GetObject", Meta: request.Meta{ReadOnly: true, Data: true},
			S3: &request.S3Call{Bucket: "bucket", Key: "key", Query: map[string][]string{"versionId": {"1"}}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			p := &probe{w: w}
			recordingGateway(p).ServeHTTP(w, c.r(t))
			if len(p.calls) != 1 {
				t.Fatalf("%d calls recorded, want 1", len(p.calls))
			}
			got := p.calls[0]
			if got.written >= w.Body.Len() || w.Body.Len() == 0 {
				t.Errorf("recorded with %d of the answer's %d bytes written: the client could have had it all", got.written, w.Body.Len())
			}
			if got.f.Service != c.service || got.f.Region != "eu-west-1" || got.f.ID == "" || got.f.ID != requestID(w) || got.p.Account != account {
				t.Errorf("facts %+v, caller %+v", got.f, got.p)
			}
			want := c.want
			if want.ErrorCode == "" {
				want.Response, want.Output = got.o.Response, got.o.Output // checked below
			}
			if !outcomesEqual(got.o, want) {
				t.Errorf("outcome\n got %+v\nwant %+v", got.o, want)
			}
			if c.service == "kms" && want.ErrorCode == "" && !bytes.Equal(got.o.Response, w.Body.Bytes()) {
				t.Errorf("the outcome's response is not the answer's body")
			}
			if c.service == "sts" && got.o.Output.(*echoOut).Greeting != "hi" {
				t.Errorf("the outcome's output is %+v", got.o.Output)
			}
		})
	}
}

func requestID(w *httptest.ResponseRecorder) string {
	if id := w.Header().Get("X-Amzn-Requestid"); id != "" {
		return id
	}
	return w.Header().Get("X-Amz-Request-Id")
}

func outcomesEqual(a, b request.Outcome) bool {
	s3Equal := (a.S3 == nil) == (b.S3 == nil)
	if a.S3 != nil && b.S3 != nil {
		s3Equal = a.S3.Bucket == b.S3.Bucket && a.S3.Key == b.S3.Key && len(a.S3.Query) == len(b.S3.Query)
		for k, v := range b.S3.Query {
			s3Equal = s3Equal && len(a.S3.Query[k]) == len(v) && a.S3.Query[k][0] == v[0]
		}
	}
	resources := len(a.Resources) == len(b.Resources)
	for i := range b.Resources {
		resources = resources && a.Resources[i] == b.Resources[i]
	}
	return a.Operation == b.Operation && a.Meta == b.Meta && a.ErrorCode == b.ErrorCode && a.ErrorMessage == b.ErrorMessage &&
		bytes.Equal(a.Params, b.Params) && bytes.Equal(a.Form, b.Form) && bytes.Equal(a.Response, b.Response) && s3Equal && resources
}

// Calls that fail authentication, and requests that name no operation, are not recorded.
func TestUnauthenticatedAndUnroutedAreNotRecorded(t *testing.T) {
	for name, r := range map[string]func(t *testing.T) *http.Request{
		"unsigned kms": func(*testing.T) *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader(`{}`))
			r.Header.Set("X-Amz-Target", "TrentService.DescribeKey")
			return r
		},
		"unknown operation": func(t *testing.T) *http.Request {
			return signed(t, "POST", "/", "kms", "us-east-1", []byte(`{}`), map[string]string{"X-Amz-Target": "TrentService.Nothing"})
		},
		"s3 route keytrail lacks": func(t *testing.T) *http.Request {
			return signed(t, "DELETE", "/bucket/key", "s3", "us-east-1", nil, nil)
		},
	} {
		w := httptest.NewRecorder()
		p := &probe{w: w}
		recordingGateway(p).ServeHTTP(w, r(t))
		if len(p.calls) != 0 || w.Code < 400 {
			t.Errorf("%s: status %d, recorded %+v", name, w.Code, p.calls)
		}
	}
}
