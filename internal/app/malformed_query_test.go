package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// form joins n parameters P0=x&P1=x… after prefix.
func form(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i := range n {
		b.WriteString("&P" + strconv.Itoa(i) + "=x")
	}
	return b.String()
}

// Malformed, correctly signed IAM and STS requests are each answered with a 4xx query-protocol
// error, change nothing, leave the server answering, and those that reach an operation are
// recorded in log files every strict JSON parser reads.
func TestMalformedQueryRequests(t *testing.T) {
	e := start(t, t.TempDir())
	setupTrail(t, e)
	ctx := context.Background()
	ic := e.rootIAM()
	must(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("untouched")}))(t)
	must(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("untouched"), AssumeRolePolicyDocument: aws.String(trustPolicy)}))(t)
	snapshot := func() string {
		users := must(ic.ListUsers(ctx, &iam.ListUsersInput{}))(t)
		roles := must(ic.ListRoles(ctx, &iam.ListRolesInput{}))(t)
		policies := must(ic.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("untouched")}))(t)
		return mustJSON(t, []any{users.Users, roles.Roles, policies.PolicyNames})
	}
	const iamV, stsV = "Version=2010-05-08", "Version=2011-06-15"
	const mq, val = "MalformedQueryString", "ValidationError"
	deepName := func(parts int) string { return "Tags" + strings.Repeat(".member", parts-1) + "=x" }
	iamCases := []malformed{
		{name: "10^5 parameters", body: form("Action=CreateUser&"+iamV+"&UserName=many", 100_000), want: 400, code: mq},
		{name: "1001 parameters", body: form("Action=CreateUser&"+iamV+"&UserName=many", 1001), want: 400, code: mq},
		{name: "a name 100,000 parts deep", body: "Action=CreateUser&" + iamV + "&UserName=deep&" + deepName(100_000), want: 400, code: mq},
		{name: "a name one part past the bound", body: "Action=CreateUser&" + iamV + "&UserName=deep&" + deepName(33), want: 400, code: mq},
		{name: "a deep name in a GET query", query: "Action=ListUsers&" + iamV + "&" + deepName(1000), want: 400, code: mq},
		{name: "a bad percent-escape in a value", body: "Action=CreateUser&" + iamV + "&UserName=a%zz", want: 400, code: mq},
		{name: "a truncated percent-escape", body: "Action=CreateUser&" + iamV + "&UserName=a%", want: 400, code: mq},
		{name: "a bad percent-escape in a name", body: "Action=CreateUser&" + iamV + "&User%G0Name=a", want: 400, code: mq},
		{name: "an empty name", body: "Action=CreateUser&" + iamV + "&=a", want: 400, code: mq},
		{name: "a repeated parameter", body: "Action=CreateUser&" + iamV + "&UserName=a&UserName=b", want: 400, code: mq},
		{name: "a repeated Action", body: "Action=CreateUser&Action=DeleteUser&" + iamV + "&UserName=untouched", want: 400, code: mq},
		{name: "no Action", body: iamV + "&UserName=a", want: 400, code: "MissingAction"},
		{name: "an empty body", body: "", want: 400, code: "MissingAction"},
		{name: "an unknown Action", body: "Action=DestroyEverything&" + iamV, want: 400, code: "InvalidAction"},
		{name: "a body over 8 MiB", body: "Action=CreateUser&" + iamV + "&UserName=" + strings.Repeat("u", 8<<20), want: 413, code: "RequestEntityTooLarge"},
		{name: "a 7 MB user name", body: "Action=CreateUser&" + iamV + "&UserName=" + strings.Repeat("u", 7<<20), want: 400, code: val, recorded: true},
		{name: "raw invalid UTF-8", body: "Action=CreateUser&" + iamV + "&UserName=\xff\xfe", want: 400, code: val, recorded: true},
		{name: "escaped invalid UTF-8", body: "Action=CreateUser&" + iamV + "&UserName=%C3%28", want: 400, code: val, recorded: true},
		{name: "a NUL in a name", body: "Action=CreateUser&" + iamV + "&UserName=a%00b", want: 400, code: val, recorded: true},
		{name: "a user name with spaces", body: "Action=CreateUser&" + iamV + "&UserName=bad+name", want: 400, code: val, recorded: true},
		{name: "no user name", body: "Action=CreateUser&" + iamV + "&Path=/x/", want: 400, code: val, recorded: true},
		{name: "a word for a number", body: "Action=ListUsers&" + iamV + "&MaxItems=ten", want: 400, code: val, recorded: true},
		{name: "a number beyond int32", body: "Action=ListUsers&" + iamV + "&MaxItems=99999999999", want: 400, code: val, recorded: true},
		{name: "trailing garbage after a number", body: "Action=ListUsers&" + iamV + "&MaxItems=5x", want: 400, code: val, recorded: true},
		{name: "a word for a boolean", body: "Action=ListPolicies&" + iamV + "&OnlyAttached=maybe", want: 400, code: val, recorded: true},
		{name: "a policy nested 1,000 deep", body: "Action=PutUserPolicy&" + iamV + "&UserName=untouched&PolicyName=p&PolicyDocument=" +
			strings.Repeat("%5B", 1000) + strings.Repeat("%5D", 1000), want: 400, code: "MalformedPolicyDocument", recorded: true},
		{name: "a policy past the quota", body: "Action=PutUserPolicy&" + iamV + "&UserName=untouched&PolicyName=p&PolicyDocument=" +
			strings.Repeat("%5B", 20_000), want: 409, code: "LimitExceeded", recorded: true},
		{name: "a policy that is not JSON", body: "Action=CreateRole&" + iamV + "&RoleName=r2&AssumeRolePolicyDocument=%7B%22Version%22", want: 400, code: "MalformedPolicyDocument", recorded: true},
		{name: "tags with a deep unknown member", body: "Action=CreateUser&" + iamV + "&UserName=bad+name&Tags.member.1.Key=k&Tags.member.1.Value=v&Tags.member.1.X" +
			strings.Repeat(".y", 25) + "=z", want: 400, code: val, recorded: true},
		{name: "a list index that is not a number", body: "Action=CreateUser&" + iamV + "&UserName=bad+name&Tags.member.x.Key=k&Tags.member.-1.Key=j", want: 400, code: val, recorded: true},
	}
	stsCases := []malformed{
		{name: "sts: 10^5 parameters", body: form("Action=GetCallerIdentity&"+stsV, 100_000), want: 400, code: mq},
		{name: "sts: a deep name", body: "Action=AssumeRole&" + stsV + "&" + deepName(5000), want: 400, code: mq},
		{name: "sts: a bad escape", body: "Action=AssumeRole&" + stsV + "&RoleArn=%", want: 400, code: mq},
		{name: "sts: an unknown Action", body: "Action=GetEverything&" + stsV, want: 400, code: "InvalidAction"},
		{name: "sts: a word for a number", body: "Action=AssumeRole&" + stsV + "&RoleArn=arn:aws:iam::" + account + ":role/untouched&RoleSessionName=s&DurationSeconds=long",
			want: 400, code: val, recorded: true},
		{name: "sts: no role", body: "Action=AssumeRole&" + stsV + "&RoleSessionName=s", want: 400, code: val, recorded: true},
		{name: "sts: a session policy past its length", body: "Action=AssumeRole&" + stsV + "&RoleArn=arn:aws:iam::" + account + ":role/untouched&RoleSessionName=session&Policy=" +
			strings.Repeat("%5B", 20_000), want: 400, code: "PackedPolicyTooLarge", recorded: true},
		{name: "sts: a session policy nested 1,000 deep", body: "Action=AssumeRole&" + stsV + "&RoleArn=arn:aws:iam::" + account + ":role/untouched&RoleSessionName=session&Policy=" +
			strings.Repeat("%5B", 1000) + strings.Repeat("%5D", 1000), want: 400, code: "MalformedPolicyDocument", recorded: true},
	}
	runMalformed(t, e, "iam", iamCases, snapshot)
	runMalformed(t, e, "sts", stsCases, snapshot)
}
