// Package iam implements the slice of AWS Identity and Access Management keytrail serves: users,
// access keys, roles with trust policies, groups, inline policies and customer managed policies
// with their attachments. Service methods are typed and transport-free; api.go binds them to the
// query protocol. Each method authorizes its caller with one call to authorize.
//
// AWS references:
//   - https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html (ARNs and unique IDs)
package iam
