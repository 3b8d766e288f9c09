package s3

import (
	"testing"

	"github.com/keytrail/keytrail/internal/awserr"
)

// S3 uses KMS keys of its bucket's region: a key or alias ARN of another region is refused as S3
// refuses it; IDs and alias names resolve in the bucket's region and pass.
func TestCheckKeyRegion(t *testing.T) {
	cases := []struct {
		key, want string // want: the refusal's message, "" when accepted
	}{
		{"arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", ""},
		{"arn:aws:kms:us-west-2:111122223333:alias/logs", ""},
		{"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "Invalid arn us-east-1"},
		{"arn:aws:kms:eu-west-1:111122223333:alias/logs", "Invalid arn eu-west-1"},
		{"1234abcd-12ab-34cd-56ef-1234567890ab", ""},
		{"alias/logs", ""},
		{"arn:aws:s3:::not-a-key", ""}, // not a KMS ARN: KMS itself refuses it
	}
	for _, c := range cases {
		err := checkKeyRegion(c.key, "us-west-2")
		e, _ := awserr.As(err)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.key, err)
		case c.want != "" && (e == nil || e.Code != "KMS.NotFoundException" || e.Message != c.want || e.HTTPStatus() != 400):
			t.Errorf("%s: %v, want KMS.NotFoundException: %s", c.key, err, c.want)
		}
	}
	if got := regionOfKey("arn:aws:kms:us-west-2:111122223333:key/k"); got != "us-west-2" {
		t.Errorf("regionOfKey = %q", got)
	}
}
