package kms

import (
	"context"
	"slices"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
)

// predefinedAliases are the AWS aliases every account and Region has before any key is behind
// them: "The response might also include aliases that have no TargetKeyId field. These are
// predefined aliases that AWS has created but has not yet associated with a KMS key"
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html). AWS does not
// publish the list; keytrail's is the AWS managed key aliases of common services (see
// docs/decisions.md).
var predefinedAliases = []string{
	"alias/aws/acm", "alias/aws/dynamodb", "alias/aws/ebs", "alias/aws/elasticfilesystem", "alias/aws/es",
	"alias/aws/glue", "alias/aws/kinesisvideo", "alias/aws/lambda", "alias/aws/rds", "alias/aws/redshift",
	"alias/aws/s3", "alias/aws/secretsmanager", "alias/aws/ssm", "alias/aws/xray",
}

// predefinedAlias returns the predefined alias an identifier names in the caller's account and
// the request's Region (an alias name, or its alias ARN), or "".
func predefinedAlias(c *call, id string) string {
	name := id
	if strings.HasPrefix(id, "arn:") {
		region, account, n, ok := parseAliasARN(id)
		if !ok || region != c.Region || account != c.P.Account {
			return ""
		}
		name = n
	}
	if slices.Contains(predefinedAliases, name) {
		return name
	}
	return ""
}

// managedOnFirstUse makes the AWS managed key of a predefined alias that has none yet, as KMS
// does when DescribeKey names it: "If you call the DescribeKey operation on a predefined AWS
// alias, that is, an AWS alias with no key ID, KMS creates an AWS managed key. Then, it
// associates the alias with the new KMS key, and returns the KeyId and Arn of the new KMS key in
// the response" (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html). It
// reports whether it made one.
func (s *Service) managedOnFirstUse(ctx context.Context, err error, id string) (bool, error) {
	if ae, ok := awserr.As(err); !ok || ae.Code != awserr.NotFoundException {
		return false, nil
	}
	c, berr := s.begin(ctx)
	if berr != nil {
		return false, berr
	}
	alias := predefinedAlias(c, id)
	if alias == "" || c.P.Account == "" {
		return false, nil
	}
	if _, err := s.AWSManagedKey(ctx, c.P.Account, c.Region, strings.TrimPrefix(alias, "alias/aws/")); err != nil {
		return false, err
	}
	return true, nil
}
