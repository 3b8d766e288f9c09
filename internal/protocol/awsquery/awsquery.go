// Package awsquery is the AWS query protocol used by IAM and STS: form-encoded requests naming an
// Action, XML responses wrapped in <ActionResponse><ActionResult>, and the one place query-protocol
// errors are rendered (<ErrorResponse><Error><Type>…).
//
// Reference: https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
package awsquery

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/request"
)

// maxParams bounds the number of form parameters in one request.
const maxParams = 1000

// MaxNameDepth bounds the dotted parts of a parameter name, the nesting of the value it names.
// The deepest name of an IAM or STS input (ContextEntries.member.N.ContextKeyValues.member.N)
// has 6.
const MaxNameDepth = 32

// Values are a query request's parameters, one value per name.
type Values map[string]string

// Decode parses a form-encoded body (or query string). A malformed form, a repeated parameter,
// too many parameters or a name of more than MaxNameDepth dotted parts is a MalformedQueryString
// error, and no partial result is returned.
func Decode(form string) (Values, error) {
	v := Values{}
	if form == "" {
		return v, nil
	}
	parts := strings.Split(form, "&")
	if len(parts) > maxParams {
		return nil, awserr.New(awserr.MalformedQueryString, "Too many parameters in the request")
	}
	for _, part := range parts {
		if part == "" {
			continue
		}
		rk, rv, _ := strings.Cut(part, "=")
		k, err := url.QueryUnescape(rk)
		if err != nil || k == "" {
			return nil, awserr.New(awserr.MalformedQueryString, "The query string is malformed at %q", short(rk))
		}
		if strings.Count(k, ".") >= MaxNameDepth {
			return nil, awserr.New(awserr.MalformedQueryString, "The parameter %q nests more than %d levels deep", short(k), MaxNameDepth)
		}
		val, err := url.QueryUnescape(rv)
		if err != nil {
			return nil, awserr.New(awserr.MalformedQueryString, "The value of parameter %q is not properly encoded", short(k))
		}
		if _, dup := v[k]; dup {
			return nil, awserr.New(awserr.MalformedQueryString, "The parameter %q appears more than once", short(k))
		}
		v[k] = val
	}
	return v, nil
}

func short(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// Handler runs one operation on decoded parameters and returns its result (a pointer to a struct,
// marshalled as the <ActionResult> element's content). In and Out are the operation's input and
// output types, for tests that check the table against the AWS service model.
type Handler struct {
	Run     func(ctx context.Context, params Values) (any, error)
	In, Out reflect.Type
	Meta    request.Meta // what the operation's CloudTrail record says of it
}

// ReadOnly returns h marked as an operation CloudTrail records as readOnly.
func (h Handler) ReadOnly() Handler {
	h.Meta.ReadOnly = true
	return h
}

// Handle adapts a typed, transport-free service method to a Handler: parameters are unmarshalled
// into a new I (see Unmarshal) before fn is called.
func Handle[I, O any](fn func(context.Context, *I) (*O, error)) Handler {
	return Handler{
		Run: func(ctx context.Context, params Values) (any, error) {
			in := new(I)
			if err := Unmarshal(params, in); err != nil {
				return nil, err
			}
			out, err := fn(ctx, in)
			if err != nil {
				return nil, err
			}
			return out, nil
		},
		In:  reflect.TypeFor[I](),
		Out: reflect.TypeFor[O](),
	}
}

// Service is one query-protocol service: its XML namespace and its explicit operation table.
type Service struct {
	Name      string // iam, sts
	Version   string // the API version, e.g. 2010-05-08
	Namespace string // the response XML namespace
	// Global marks a global service (IAM): CloudTrail records its calls in us-east-1.
	Global     bool
	Operations map[string]Handler
}

// Serve dispatches the Action of params (the decoded form), writes the response or the error and
// returns the call's outcome (Operation "" when the Action is missing or unknown).
func (s *Service) Serve(ctx context.Context, w http.ResponseWriter, params Values, form []byte, requestID string, log *slog.Logger) request.Outcome {
	action := params["Action"]
	if action == "" {
		return request.Failed(s.WriteError(w, awserr.New(awserr.MissingAction, "Missing Action"), requestID, log))
	}
	h, ok := s.Operations[action]
	if !ok {
		return request.Failed(s.WriteError(w, awserr.New(awserr.InvalidAction, "Could not find operation %s for version %s", short(action), s.Version), requestID, log))
	}
	meta := h.Meta
	meta.Global = s.Global
	out := request.Outcome{Operation: action, Meta: meta, Form: form}
	ctx, res := request.Collect(ctx)
	result, body, err := s.run(ctx, h, action, params, requestID)
	out.Resources = res.List()
	if err != nil {
		out.Fail(s.WriteError(w, err, requestID, log))
		return out
	}
	out.Output = result
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	return out
}

// run validates params and runs the operation, returning its result and the response body.
func (s *Service) run(ctx context.Context, h Handler, action string, params Values, requestID string) (any, []byte, error) {
	if err := s.validate(action, params); err != nil {
		return nil, nil, err
	}
	out, err := h.Run(ctx, params)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(`<` + action + `Response xmlns="` + s.Namespace + `">`)
	if hasFields(out) {
		enc := xml.NewEncoder(&buf)
		if err := enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return nil, nil, fmt.Errorf("encode %s result: %w", action, err)
		}
	}
	buf.WriteString(`<ResponseMetadata><RequestId>` + requestID + `</RequestId></ResponseMetadata></` + action + `Response>`)
	return out, buf.Bytes(), nil
}

// hasFields reports whether out points to a struct with at least one field.
func hasFields(out any) bool {
	v := reflect.ValueOf(out)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	return v.Kind() == reflect.Struct && v.NumField() > 0
}

type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Error     errorBody
	RequestID string `xml:"RequestId"`
}

type errorBody struct {
	Type    string
	Code    string
	Message string
}

// WriteError renders err as a query-protocol error. An error that is not an *awserr.Error is an
// internal fault: it is logged, and the client gets InternalFailure with a generic message.
func (s *Service) WriteError(w http.ResponseWriter, err error, requestID string, log *slog.Logger) (code, message string) {
	return WriteError(w, s.Namespace, err, requestID, log)
}

// WriteError renders err in the query protocol's error envelope with the given namespace and
// returns the code and message it answered.
func WriteError(w http.ResponseWriter, namespace string, err error, requestID string, log *slog.Logger) (code, message string) {
	e, ok := awserr.As(err)
	if !ok {
		log.Error("internal error", "request_id", requestID, "err", err)
		e = awserr.New(awserr.InternalFailure, "An internal error occurred. Retry the request.")
	}
	typ := "Sender"
	if e.Fault() {
		typ = "Receiver"
	}
	body, _ := xml.Marshal(errorResponse{Xmlns: namespace, Error: errorBody{Type: typ, Code: string(e.Code), Message: e.Message}, RequestID: requestID})
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(e.HTTPStatus())
	w.Write(body)
	return string(e.Code), e.Message
}
