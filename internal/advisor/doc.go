// Package advisor checks a KMS key policy against what CloudTrail needs of it before the policy
// is deployed: for each intended use (trails, their bucket and its S3 Bucket Key, event data
// stores, the principals that read the logs, other accounts' trails) it builds the requests
// keytrail's CloudTrail, S3 and KMS would make — the caller, the action, the key, the condition
// keys, exactly as they send them — and lets the one policy engine (internal/authz) decide each.
// It holds no rules of its own: a requirement is met when the engine allows its requests, and a
// finding names the statement that allowed, or the statement that came closest and why it did
// not apply, with the statement to add.
//
// AWS pages implemented:
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/default-kms-key-policy.html
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail-update-trail.html
//   - https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key
//   - https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
package advisor
