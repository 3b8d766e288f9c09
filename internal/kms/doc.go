// Package kms is AWS KMS for symmetric keys: keys with key policies evaluated by the policy
// engine, aliases, grants, tags, rotation, scheduled deletion, and envelope encryption with
// AES-256-GCM under per-key, numbered backing versions sealed at rest.
//
// Every operation authorizes exactly once through authz: the key policy first (with root
// delegation to identity policies, cross-account needing both, and grants), identity policies
// alone for CreateKey, ListKeys, ListAliases, GenerateRandom and ListRetirableGrants. In-process
// callers (S3, CloudTrail) call the same methods with their own principal in the context and
// their condition keys in authz.WithKeys.
//
// AWS pages implemented:
//   - https://docs.aws.amazon.com/kms/latest/APIReference/ (the operations, per botocore's model)
//   - https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
//   - https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
//   - https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
//   - https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
package kms
