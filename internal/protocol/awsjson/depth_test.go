package awsjson

import (
	"context"
	"errors"
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
