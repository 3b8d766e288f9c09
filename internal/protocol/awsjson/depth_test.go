package awsjson

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/awserr"
)

// A body nested past MaxDepth is refused by the Scanner (in known members and in skipped ones), by
// CheckDepth and by the encoding/json path, as a SerializationException; one at MaxDepth is read.
func TestDepthBound(t *testing.T) {
	huge := `{"X":` + strings.Repeat("[", 3_000_000)
	for _, c := range []struct {
		doc  string
		want error
	}{
		{`{"Recipient":` + nest(MaxDepth-1) + `}`, nil},
		{`{"Recipient":` + nest(MaxDepth) + `}`, ErrDepth},
		{`{"Unknown":` + nest(MaxDepth) + `}`, ErrDepth},
		{`{"Name":` + nest(MaxDepth) + `}`, ErrDepth}, // a type error must not hide the depth
		{huge, ErrDepth},
		{`{"Name":"` + strings.Repeat("[", 1000) + `"}`, nil}, // brackets in strings do not count
		{`{"Name":"\"` + strings.Repeat("[", 1000) + `"}`, nil},
	} {
		var v sample
		if err := Decode([]byte(c.doc), &v); !errors.Is(err, c.want) {
			t.Errorf("Decode(%.40q…) = %v, want %v", c.doc, err, c.want)
		}
		if err := CheckDepth([]byte(c.doc)); !errors.Is(err, c.want) {
			t.Errorf("CheckDepth(%.40q…) = %v, want %v", c.doc, err, c.want)
		}
	}
	type plain struct{ Name string }
	h := Handle(func(_ context.Context, in *plain) (*plain, error) { return in, nil })
	for _, body := range []string{huge, `{"Other":` + nest(MaxDepth) + `}`} {
		_, err := h.Run(context.Background(), []byte(body))
		if e, ok := awserr.As(err); !ok || e.Code != awserr.SerializationException || !strings.Contains(e.Message, "levels deep") {
			t.Errorf("encoding/json path: %v", err)
		}
	}
}

// Serve refuses a body too deep or not UTF-8 before anything reads it, the model's validation
// included: a SerializationException, as deserialization comes before validation.
func TestServeRefusesMalformedBeforeValidation(t *testing.T) {
	ran := false
	type in struct{ TrailName string }
	s := &Service{Name: "cloudtrail", Prefixes: []string{"CloudTrail"}, Operations: map[string]Handler{
		"PutEventSelectors": Handle(func(_ context.Context, v *in) (*in, error) { ran = true; return v, nil }),
	}}
	for _, body := range []string{
		`{"TrailName":"t","AdvancedEventSelectors":` + nest(70) + `}`,
		"{\"TrailName\":\"\xff\",\"EventSelectors\":[{\"ReadWriteType\":\"Nope\"}]}",
	} {
		w := httptest.NewRecorder()
		s.Serve(context.Background(), w, "CloudTrail.PutEventSelectors", []byte(body), "id", slog.New(slog.DiscardHandler))
		if w.Code != 400 || !strings.Contains(w.Body.String(), `"SerializationException"`) || ran {
			t.Errorf("%.50q…: %d %s (ran %v)", body, w.Code, w.Body, ran)
		}
	}
}
