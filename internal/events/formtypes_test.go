package events

import "testing"

// TestFormParamsTyped: a query form's integers and booleans are recorded as JSON numbers and
// booleans, as AWS's records show them ("durationSeconds": 3600 in the AssumeRole example of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html); a value that
// does not parse as its type keeps its text.
func TestFormParamsTyped(t *testing.T) {
	for _, c := range []struct{ service, op, form, want string }{
		{"sts", "AssumeRole", "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=s&DurationSeconds=3600",
			`{"durationSeconds":3600,"roleArn":"arn:aws:iam::111122223333:role/r","roleSessionName":"s"}`},
		{"iam", "ListPolicies", "Action=ListPolicies&OnlyAttached=true&MaxItems=10&Scope=Local",
			`{"maxItems":10,"onlyAttached":true,"scope":"Local"}`},
		{"iam", "CreateRole", "Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%7D&MaxSessionDuration=43200",
			`{"assumeRolePolicyDocument":"{}","maxSessionDuration":43200,"roleName":"r"}`},
		{"iam", "ListUsers", "Action=ListUsers&MaxItems=ten", `{"maxItems":"ten"}`},
		{"iam", "ListPolicies", "Action=ListPolicies&OnlyAttached=yes", `{"onlyAttached":"yes"}`},
	} {
		out, err := formParams([]byte(c.form), inputShape(c.service, c.op))
		if err != nil || string(out) != c.want {
			t.Errorf("formParams(%s) = %s (%v), want %s", c.form, out, err, c.want)
		}
	}
}
