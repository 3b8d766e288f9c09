package iam

import (
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
