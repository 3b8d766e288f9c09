package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// signInRecord is the part of a ConsoleLogin record the test compares.
type signInRecord struct {
	UserIdentity struct {
		Type        string `json:"type"`
		PrincipalID string `json:"principalId"`
		ARN         string `json:"arn"`
		AccountID   string `json:"accountId"`
		UserName    string `json:"userName"`
	} `json:"userIdentity"`
	EventSource         string            `json:"eventSource"`
	EventName           string            `json:"eventName"`
	AWSRegion           string            `json:"awsRegion"`
	UserAgent           string            `json:"userAgent"`
	ErrorCode           string            `json:"errorCode"`
	ErrorMessage        string            `json:"errorMessage"`
	ResponseElements    map[string]string `json:"responseElements"`
	AdditionalEventData map[string]string `json:"additionalEventData"`
	EventType           string            `json:"eventType"`
	ManagementEvent     bool              `json:"managementEvent"`
	ReadOnly            bool              `json:"readOnly"`
	RecipientAccountID  string            `json:"recipientAccountId"`
	EventCategory       string            `json:"eventCategory"`
}

// TestSignInEvents: every sign-in to an account, successful or not, is a ConsoleLogin event of
// that account, as AWS records the console's sign-ins
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html):
// an IAM user's success and wrong password with the user's identity, an unknown user name
// hidden, the root's success and failure; a malformed account ID records nothing.
func TestSignInEvents(t *testing.T) {
	e := start(t, nil)
	e.user("alice", "")
	ctx := context.Background()
	u, err := iam.NewFromConfig(e.awsConfig()).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind, acct, user, pw string
		status               int
	}{
		{"iam", account, "alice", "wrong-Passw0rd", http.StatusUnauthorized},
		{"iam", account, "mallory", password, http.StatusUnauthorized},
		{"iam", "1234", "alice", password, http.StatusUnauthorized},
		{"root", account, "", "nope", http.StatusUnauthorized},
		{"iam", account, "alice", password, http.StatusSeeOther},
		{"root", account, "", rootSecret, http.StatusSeeOther},
	} {
		if status, _, _ := e.browser().signIn(tc.kind, tc.acct, tc.user, tc.pw); status != tc.status {
			t.Fatalf("%s %s %q: status %d; want %d", tc.kind, tc.acct, tc.user, status, tc.status)
		}
	}

	out, err := cloudtrail.NewFromConfig(e.awsConfig()).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ConsoleLogin")}}})
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Type, PrincipalID, ARN, UserName, Result, ErrorMessage string }
	var got []row
	for _, ev := range out.Events {
		var rec signInRecord
		if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.EventSource != "signin.amazonaws.com" || rec.EventType != "AwsConsoleSignIn" || rec.AWSRegion != "us-east-1" ||
			!rec.ManagementEvent || rec.ReadOnly || rec.RecipientAccountID != account || rec.EventCategory != "Management" ||
			rec.ErrorCode != "" || rec.UserIdentity.AccountID != account || rec.UserAgent != "Go-http-client/1.1" {
			t.Errorf("record: %s", aws.ToString(ev.CloudTrailEvent))
		}
		want := map[string]string{"LoginTo": e.url + "/console/", "MobileVersion": "No", "MFAUsed": "No"}
		if !reflect.DeepEqual(rec.AdditionalEventData, want) {
			t.Errorf("additionalEventData %v; want %v", rec.AdditionalEventData, want)
		}
		got = append(got, row{rec.UserIdentity.Type, rec.UserIdentity.PrincipalID, rec.UserIdentity.ARN, rec.UserIdentity.UserName,
			rec.ResponseElements["ConsoleLogin"], rec.ErrorMessage})
	}
	alice := aws.ToString(u.User.Arn)
	aliceID := aws.ToString(u.User.UserId)
	rootARN := "arn:aws:iam::" + account + ":root"
	want := []row{
		{"IAMUser", aliceID, alice, "alice", "Failure", "Failed authentication"},
		{"IAMUser", account, "", "HIDDEN_DUE_TO_SECURITY_REASONS", "Failure", "Failed authentication"},
		{"Root", account, rootARN, "", "Failure", "Failed authentication"},
		{"IAMUser", aliceID, alice, "alice", "Success", ""},
		{"Root", account, rootARN, "", "Success", ""},
	}
	key := func(rs []row) {
		sort.Slice(rs, func(i, j int) bool {
			return rs[i].Type+rs[i].UserName+rs[i].Result < rs[j].Type+rs[j].UserName+rs[j].Result
		})
	}
	key(got)
	key(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ConsoleLogin events:\n got %+v\nwant %+v", got, want)
	}
}
