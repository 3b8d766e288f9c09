package iam

import (
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/store"
)

// checkBoundaryARN checks the form of a PermissionsBoundary named on CreateUser or CreateRole:
// a managed policy's ARN. Errors: InvalidInput.
func checkBoundaryARN(arn string) error {
	if arn == "" {
		return nil
	}
	_, _, _, err := parsePolicyARN(arn)
	return err
}

// checkBoundary checks that a PermissionsBoundary names a managed policy that exists, as IAM
// does ("Scope ARN: … does not exist or is not attachable."). keytrail does not evaluate
// permissions boundaries, so an existing one is refused with NotImplemented: storing and then
// ignoring it would let the user or role do more than AWS allows.
// Errors: NoSuchEntity, NotImplemented.
func (s *Service) checkBoundary(tx store.Tx, account, arn string) error {
	if arn == "" {
		return nil
	}
	if _, err := s.getPolicy(tx, account, arn); err != nil {
		if awserr.HasCode(err, awserr.NoSuchEntity) {
			return awserr.New(awserr.NoSuchEntity, "Scope ARN: %s does not exist or is not attachable.", arn)
		}
		return err
	}
	return awserr.New(awserr.NotImplemented, "Permissions boundaries are not supported by keytrail: %s was not set.", arn)
}

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
