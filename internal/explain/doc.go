// Package explain keeps, for every denied request, why it was denied, and gives it back to the
// account that was denied: `keytrail explain <request-id>` and GET /_keytrail/explain/<id>.
//
// The authorization engine hands each denial that became a request's answer to the Store
// (authz.DenialRecorder); the Store builds its Explanation then — never for allowed requests —
// from the engine's Diagnostic: the caller, the action and resource, every policy consulted with
// each statement's principal, action, resource and condition verdicts (operator, key, the
// request's values, the policy's values), the rule that decided and the smallest statement that
// would have allowed the request. Denials of the calls a service makes in-process for a client's
// request (CloudTrail's KMS calls during CreateTrail, the Lake's key checks) are kept under the
// client's request ID, each with its own ID too.
//
// AWS pages followed:
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
package explain
