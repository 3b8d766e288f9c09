// Package awsjson is the AWS JSON 1.1 protocol used by KMS and CloudTrail: POST / with an
// X-Amz-Target naming <prefix>.<Operation>, JSON bodies, and the one place JSON-protocol errors are
// rendered ({"__type": <Code>, "message": …}).
//
// Reference: https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
package awsjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/model"
	"github.com/keytrail/keytrail/internal/request"
)

// Handler runs one operation on a JSON request body and returns the response value. In and Out
// are the operation's input and output types, for tests that check the table against the model.
type Handler struct {
	Run     func(ctx context.Context, body []byte) (any, error)
	In, Out reflect.Type
	Meta    request.Meta // what the operation's CloudTrail record says of it
}

// ReadOnly returns h marked as an operation CloudTrail records as readOnly.
func (h Handler) ReadOnly() Handler {
	h.Meta.ReadOnly = true
	return h
}

// Handle adapts a typed, transport-free service method to a Handler. An empty body is {}; a body
// that is not a JSON object of the input's shape is a SerializationException.
func Handle[I, O any](fn func(context.Context, *I) (*O, error)) Handler {
	return Handler{
		Run: func(ctx context.Context, body []byte) (any, error) {
			in := new(I)
			if len(bytes.TrimSpace(body)) > 0 {
				if err := decode(body, in); err != nil {
					return nil, err
				}
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

// decode reads a request body into in: with its own Decoder when it has one, else encoding/json.
func decode(body []byte, in any) error {
	if d, ok := in.(Decoder); ok {
		err := Decode(body, d)
		var te *TypeError
		switch {
		case errors.Is(err, ErrDepth):
			return awserr.New(awserr.SerializationException, "Request body is not valid JSON: %v", err)
		case errors.As(err, &te):
			return awserr.New(awserr.SerializationException, "%s", te.Error())
		case err != nil:
			return awserr.New(awserr.SerializationException, "Request body is not valid JSON")
		}
		return nil
	}
	if err := wellFormed(body); err != nil {
		return err
	}
	if err := json.Unmarshal(body, in); err != nil {
		return awserr.New(awserr.SerializationException, "%s", serializationMessage(err))
	}
	return nil
}

// wellFormed refuses, as a SerializationException, a body no operation reads: one nested deeper
// than MaxDepth (encoding/json would allow 10,000 levels) or not UTF-8 (RFC 8259 §8.1;
// encoding/json would quietly turn bad bytes into U+FFFD). It comes before any other reading of
// the body, as deserialization comes before validation.
func wellFormed(body []byte) error {
	if err := CheckDepth(body); err != nil {
		return awserr.New(awserr.SerializationException, "Request body is not valid JSON: %v", err)
	}
	if !utf8.Valid(body) {
		return awserr.New(awserr.SerializationException, "Request body is not valid JSON: it is not UTF-8")
	}
	return nil
}

func serializationMessage(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		if te.Type == reflect.TypeFor[Time]() {
			return fmt.Sprintf("Unexpected value for %s: expected a timestamp in epoch seconds", te.Field)
		}
		return fmt.Sprintf("Unexpected value for %s: expected %s", te.Field, te.Type)
	}
	return "Request body is not valid JSON: " + err.Error()
}

// Service is one JSON-protocol service: the X-Amz-Target prefixes it answers and its explicit
// operation table.
type Service struct {
	Name       string   // kms, cloudtrail
	Prefixes   []string // e.g. "TrentService"; CloudTrail has two
	Operations map[string]Handler
}

// Operation returns the operation an X-Amz-Target names, if it has one of the service's prefixes.
func (s *Service) Operation(target string) (string, bool) {
	for _, p := range s.Prefixes {
		if op, ok := strings.CutPrefix(target, p+"."); ok && op != "" {
			return op, true
		}
	}
	return "", false
}

// Serve dispatches a request with the given X-Amz-Target, writes the response or the error and
// returns the call's outcome (Operation "" when the target names no operation).
func (s *Service) Serve(ctx context.Context, w http.ResponseWriter, target string, body []byte, requestID string, log *slog.Logger) request.Outcome {
	op, ok := s.Operation(target)
	if !ok {
		return request.Failed(WriteError(w, awserr.New(awserr.UnknownOperationException, "The X-Amz-Target %q does not name an operation of %s", short(target), s.Name), requestID, log))
	}
	h, ok := s.Operations[op]
	if !ok {
		return request.Failed(WriteError(w, awserr.New(awserr.UnknownOperationException, "Unknown operation %s", short(op)), requestID, log))
	}
	out := request.Outcome{Operation: op, Meta: h.Meta, Params: body}
	ctx, res := request.Collect(ctx)
	data, err := s.run(ctx, h, op, body)
	out.Resources = res.List()
	if err != nil {
		out.Fail(WriteError(w, err, requestID, log))
		return out
	}
	out.Response = data
	setHeaders(w.Header(), requestID)
	w.WriteHeader(http.StatusOK)
	w.Write(data)
	return out
}

// run checks body and runs the operation, returning the encoded response.
func (s *Service) run(ctx context.Context, h Handler, op string, body []byte) ([]byte, error) {
	// Every operation's input is checked against the AWS model's constraints before it runs,
	// once the body is known to be one an operation may read.
	if err := wellFormed(body); err != nil {
		return nil, err
	}
	if err := model.ValidateJSON(s.Name, op, body); err != nil {
		return nil, err
	}
	v, err := h.Run(ctx, body)
	if err != nil {
		return nil, err
	}
	if e, ok := v.(Encoder); ok {
		return e.AppendJSON(make([]byte, 0, 512)), nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s response: %w", op, err)
	}
	return data, nil
}

func short(s string) string {
	if len(s) > 96 {
		return s[:96] + "…"
	}
	return s
}

// WriteError renders err as a JSON-protocol error and returns the code and message it answered.
// An error that is not an *awserr.Error is an internal fault: it is logged, and the client gets a
// 500 InternalFailure with a generic message.
func WriteError(w http.ResponseWriter, err error, requestID string, log *slog.Logger) (code, message string) {
	e, ok := awserr.As(err)
	if !ok {
		log.Error("internal error", "request_id", requestID, "err", err)
		e = awserr.New(awserr.InternalFailure, "An internal error occurred. Retry the request.")
	}
	status := http.StatusBadRequest
	switch {
	case e.Fault():
		status = http.StatusInternalServerError
	case e.Code == awserr.RequestEntityTooLarge:
		// AWS's front end refuses an oversized body before the service sees it: 413.
		status = http.StatusRequestEntityTooLarge
	}
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{string(e.Code), e.Message})
	setHeaders(w.Header(), requestID)
	w.WriteHeader(status)
	w.Write(body)
	return string(e.Code), e.Message
}

// contentType is shared by every response; net/http never changes a header's values.
var contentType = []string{"application/x-amz-json-1.1"}

// setHeaders sets the content type and request ID of a JSON-protocol response (keys in their
// canonical form, set directly: the hot path of every KMS and CloudTrail call).
func setHeaders(h http.Header, requestID string) {
	h["Content-Type"] = contentType
	h["X-Amzn-Requestid"] = []string{requestID}
}
