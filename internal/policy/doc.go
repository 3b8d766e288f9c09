// Package policy is the IAM policy language: it parses policy documents into an owned AST,
// validates them for the kind of policy they are (identity, session, trust, key or bucket policy),
// compiles them once, and evaluates compiled statements against a request.
//
// Evaluation answers one question per policy — does a statement deny, does one allow, and how did
// the principal match — and Explain says why each statement did or did not apply. Combining the
// answers of several policies (explicit deny, key policy first, root delegation, cross-account) is
// package authz's job.
//
// AWS pages implemented:
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
//   - https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html (the
//     OverlyPermissiveCondition rule for key policies)
package policy
