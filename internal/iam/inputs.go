package iam

import (
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
)

// checkTagKeys refuses the tag keys IAM's model cannot express: the aws: prefix, which AWS
// reserves ("You can't create tag keys or values that begin with the text aws:",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html), and keys repeated in any case
// (tag keys are case-insensitive). Length, pattern and count are the model's, checked by the
// protocol layer. Errors: InvalidInput.
func checkTagKeys(tags []Tag) error {
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if strings.HasPrefix(k, "aws:") {
			return awserr.New(awserr.InvalidInput, "Tag keys beginning with aws: are reserved for AWS use: %s.", t.Key)
		}
		if seen[k] {
			return awserr.New(awserr.InvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	return nil
}
