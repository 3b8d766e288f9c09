package restxml

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
)

// table is a small operation table: GET on the service, GET and PUT on objects.
func table(read *error) *Service {
	h := func(_ context.Context, w http.ResponseWriter, _ *http.Request, _ Target, body io.Reader) error {
		if _, err := io.ReadAll(body); err != nil {
			*read = err
			return err
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return &Service{Operations: map[Route]Operation{
		{Method: "GET", Level: ServiceLevel}:                        {Name: "ListBuckets", Handler: h},
		{Method: "GET", Level: ObjectLevel}:                         {Name: "GetObject", Handler: h},
		{Method: "PUT", Level: ObjectLevel}:                         {Name: "PutObject", Handler: h},
		{Method: "PUT", Level: ObjectLevel, Subresource: "tagging"}: {Name: "PutObjectTagging", Handler: h},
	}}
}

type wireError struct {
	Code, Message, Method, ResourceType string
}

func TestUnroutedMethods(t *testing.T) {
	cases := []struct {
		method, target string
		status         int
		code, rtype    string
		allow          string
	}{
		{"PATCH", "/b/k", 405, "MethodNotAllowed", "OBJECT", "GET, PUT"},
		{"PROPFIND", "/b", 405, "MethodNotAllowed", "BUCKET", ""},
		{"POST", "/", 405, "MethodNotAllowed", "SERVICE", "GET"},
		{"DELETE", "/b/k", 405, "MethodNotAllowed", "OBJECT", "GET, PUT"},
		{"GET", "/b/k?torrent", 501, "NotImplemented", "", ""},
	}
	var read error
	s := table(&read)
	for _, c := range cases {
		w := httptest.NewRecorder()
		s.Serve(context.Background(), w, httptest.NewRequest(c.method, c.target, nil), http.NoBody, "req", slog.New(slog.DiscardHandler))
		var e wireError
		if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil {
			t.Fatalf("%s %s: %v in %s", c.method, c.target, err, w.Body)
		}
		if w.Code != c.status || e.Code != c.code || e.ResourceType != c.rtype || w.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s = %d %+v Allow %q; want %d %s %s %q", c.method, c.target, w.Code, e, w.Header().Get("Allow"), c.status, c.code, c.rtype, c.allow)
		}
		if c.status == 405 && (e.Method != c.method || e.Message != "The specified method is not allowed against this resource.") {
			t.Errorf("%s %s: method %q message %q", c.method, c.target, e.Method, e.Message)
		}
	}
}

func TestCutBodyIsIncompleteBody(t *testing.T) {
	var read error
	s := table(&read)
	w := httptest.NewRecorder()
	body := io.MultiReader(strings.NewReader("0123456789"), iotest.ErrReader(io.ErrUnexpectedEOF))
	s.Serve(context.Background(), w, httptest.NewRequest("PUT", "/b/k", nil), body, "req", slog.New(slog.DiscardHandler))
	var e wireError
	if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatal(err)
	}
	if w.Code != 400 || e.Code != "IncompleteBody" || e.Message != "You did not provide the number of bytes specified by the Content-Length HTTP header" {
		t.Fatalf("cut body = %d %+v", w.Code, e)
	}
}

func TestArgumentErrorNamesTheArgument(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, InvalidArgument("x-amz-acl", "privatee", ""), "/b/k", "req", slog.New(slog.DiscardHandler))
	var got struct {
		Code          string
		ArgumentName  string
		ArgumentValue string
		RequestID     string `xml:"RequestId"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if w.Code != 400 || got.Code != "InvalidArgument" || got.ArgumentName != "x-amz-acl" || got.ArgumentValue != "privatee" || got.RequestID != "req" {
		t.Fatalf("InvalidArgument = %d %+v", w.Code, got)
	}
}
