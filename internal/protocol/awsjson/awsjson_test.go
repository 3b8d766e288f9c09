package awsjson

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/keytrail/keytrail/internal/awserr"
)

type echoIn struct{ Name string }
type echoOut struct{ Greeting string }

func TestBothCloudTrailPrefixesAndErrors(t *testing.T) {
	svc := &Service{Name: "cloudtrail", Prefixes: []string{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", "CloudTrail_20131101"},
		Operations: map[string]Handler{
			"GetTrail": Handle(func(_ context.Context, in *echoIn) (*echoOut, error) {
				if in.Name == "" {
					return nil, awserr.New("TrailNotProvidedException", "Trail name is required")
				}
				return &echoOut{Greeting: "hello " + in.Name}, nil
			}),
		}}
	log := slog.New(slog.DiscardHandler)
	for _, target := range []string{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrail", "CloudTrail_20131101.GetTrail"} {
		w := httptest.NewRecorder()
		if op := svc.Serve(context.Background(), w, target, []byte(`{"Name":"t1"}`), "rid", log).Operation; op != "GetTrail" || w.Code != 200 || w.Body.String() != `{"Greeting":"hello t1"}` {
			t.Errorf("%s: op %q, %d %s", target, op, w.Code, w.Body.String())
		}
	}
	for body, want := range map[string]string{
		`{"Name":"t1"}`: "UnknownOperationException", // with a target of another service, below
		`{"Name": 42}`:  "SerializationException",
		`[`:             "SerializationException",
		`{}`:            "TrailNotProvidedException",
	} {
		target := "CloudTrail_20131101.GetTrail"
		if want == "UnknownOperationException" {
			target = "TrentService.GetTrail"
		}
		w := httptest.NewRecorder()
		svc.Serve(context.Background(), w, target, []byte(body), "rid", log)
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Type != want || w.Code != 400 || e.Message == "" {
			t.Errorf("body %s: %d %s, want %s", body, w.Code, w.Body.String(), want)
		}
	}
	w := httptest.NewRecorder()
	WriteError(w, context.DeadlineExceeded, "rid", log)
	if w.Code != 500 || !json.Valid(w.Body.Bytes()) {
		t.Errorf("internal error: %d %s", w.Code, w.Body.String())
	}
}
