package awsquery_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/protocol/awsquery"
	"github.com/keytrail/keytrail/internal/request"
)

type userIn struct{ UserName string }

type userOut struct {
	User struct{ UserName string }
}

// Serve dispatches the Action, answers in the query envelope and returns the call's outcome: the
// operation and its table's metadata (the service's Global too), the form, the result or the
// error, and the resources the operation's authorization noted.
func TestServeReturnsTheOutcome(t *testing.T) {
	role := request.Resource{Type: "AWS::IAM::Role", ARN: "arn:aws:iam::111122223333:role/r", Account: "111122223333"}
	svc := &awsquery.Service{Name: "iam", Version: "2010-05-08", Namespace: "https://iam.amazonaws.com/doc/2010-05-08/", Global: true,
		Operations: map[string]awsquery.Handler{
			"GetUser": awsquery.Handle(func(ctx context.Context, in *userIn) (*userOut, error) {
				request.Note(ctx, role)
				out := &userOut{}
				out.User.UserName = in.UserName
				return out, nil
			}).ReadOnly(),
			"DeleteUser": awsquery.Handle(func(ctx context.Context, in *userIn) (*struct{}, error) {
				request.Note(ctx, role)
				return nil, awserr.New(awserr.NoSuchEntity, "The user with name %s cannot be found.", in.UserName)
			}),
			"CreateUser": awsquery.Handle(func(context.Context, *userIn) (*struct{}, error) {
				return nil, errors.New("disk on fire")
			}),
		}}
	log := slog.New(slog.DiscardHandler)
	for _, c := range []struct {
		form, op, code, body string
		status               int
		meta                 request.Meta
		resources            int
	}{
		{"Action=GetUser&Version=2010-05-08&UserName=alice", "GetUser", "", "<GetUserResult><User><UserName>alice</UserName></User></GetUserResult>", 200,
			request.Meta{ReadOnly: true, Global: true}, 1},
		{"Action=DeleteUser&Version=2010-05-08&UserName=bob", "DeleteUser", "NoSuchEntity", "<Code>NoSuchEntity</Code>", 404, request.Meta{Global: true}, 1},
		{"Action=CreateUser&Version=2010-05-08&UserName=carol", "CreateUser", "InternalFailure", "<Type>Receiver</Type>", 500, request.Meta{Global: true}, 0},
		{"Action=GetUser&Version=2010-05-08&UserName=a%20b", "GetUser", "ValidationError", "userName", 400, request.Meta{ReadOnly: true, Global: true}, 0},
		{"Action=ListUsers&Version=2010-05-08", "", "InvalidAction", "<Code>InvalidAction</Code>", 400, request.Meta{}, 0},
		{"Version=2010-05-08", "", "MissingAction", "<Code>MissingAction</Code>", 400, request.Meta{}, 0},
	} {
		params, err := awsquery.Decode(c.form)
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		out := svc.Serve(context.Background(), w, params, []byte(c.form), "rid", log)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.body) || w.Header().Get("X-Amzn-Requestid") != "rid" {
			t.Errorf("%s: %d %s", c.form, w.Code, w.Body.String())
		}
		if out.Operation != c.op || out.ErrorCode != c.code || len(out.Resources) != c.resources || (c.op != "" && (out.Meta != c.meta || string(out.Form) != c.form)) {
			t.Errorf("%s: outcome %+v", c.form, out)
		}
		if u, ok := out.Output.(*userOut); (c.op == "GetUser" && c.code == "") != (ok && u.User.UserName == "alice") {
			t.Errorf("%s: output %+v", c.form, out.Output)
		}
		if c.code != "" && out.ErrorMessage == "" {
			t.Errorf("%s: no error message in the outcome", c.form)
		}
	}
}
