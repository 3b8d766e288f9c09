package advisor

import (
	"github.com/keytrail/keytrail/internal/identity"
)

// statement is a key policy statement to add, in the seed's form
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
type statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal map[string]any               `json:"Principal"`
	Action    any                          `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

var cloudTrailPrincipal = map[string]any{"Service": cloudTrail.Service}

// encryptStatement is "Allow CloudTrail to encrypt logs", for the trail (for every trail of its
// account when it stands for the account).
func encryptStatement(t *trail) statement {
	source := map[string]string{"aws:SourceArn": t.ARN}
	like := map[string]string{"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:" + t.account + ":trail/*"}
	cond := map[string]map[string]string{"StringEquals": source, "StringLike": like}
	if t.anyTrail {
		like["aws:SourceArn"] = "arn:aws:cloudtrail:*:" + t.account + ":trail/*"
		cond = map[string]map[string]string{"StringLike": like}
	}
	return statement{Sid: "Allow CloudTrail to encrypt logs", Effect: "Allow", Principal: cloudTrailPrincipal, Action: "kms:GenerateDataKey*", Resource: "*", Condition: cond}
}

// describeStatement is "Allow CloudTrail access": kms:DescribeKey for the trail.
func describeStatement(t *trail, u *use) statement {
	cond := map[string]map[string]string{"StringEquals": {"aws:SourceArn": t.ARN}}
	if t.anyTrail {
		cond = map[string]map[string]string{"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:" + t.account + ":trail/*"}}
	}
	return statement{Sid: "Allow CloudTrail access", Effect: "Allow", Principal: cloudTrailPrincipal, Action: "kms:DescribeKey", Resource: u.KeyARN, Condition: cond}
}

// cloudTrailDecryptStatement is "Allow CloudTrail to decrypt a trail", which a bucket with an S3
// Bucket Key needs.
func cloudTrailDecryptStatement(*trail) statement {
	return statement{Sid: "Allow CloudTrail to decrypt a trail", Effect: "Allow", Principal: cloudTrailPrincipal, Action: "kms:Decrypt", Resource: "*"}
}

// readerStatement is "Enable CloudTrail log decrypt permissions" for the reader (its role, for a
// role session), with the Null condition that keeps it to CloudTrail's log files.
func readerStatement(r reader, u *use) statement {
	return statement{Sid: "Enable CloudTrail log decrypt permissions", Effect: "Allow", Principal: map[string]any{"AWS": principalARN(r)},
		Action: "kms:Decrypt", Resource: u.KeyARN, Condition: map[string]map[string]string{"Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "false"}}}
}

// storeStatement is "Allow CloudTrail to encrypt event data store": no condition, since
// aws:SourceArn and aws:SourceAccount are not supported for event data stores.
func storeStatement() statement {
	return statement{Sid: "Allow CloudTrail to encrypt event data store", Effect: "Allow", Principal: cloudTrailPrincipal,
		Action: []string{"kms:GenerateDataKey", "kms:Decrypt"}, Resource: "*"}
}

// storeUserStatement is "Enable user key permissions for event data stores" for the reader.
func storeUserStatement(r reader) statement {
	return statement{Sid: "Enable user key permissions for event data stores", Effect: "Allow", Principal: map[string]any{"AWS": principalARN(r)},
		Action: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Resource: "*"}
}

// rootStatement is "Enable IAM user permissions": the account's root may do everything with the
// key, and delegates to the account's IAM policies.
func rootStatement(u *use) statement {
	return statement{Sid: "Enable IAM user permissions", Effect: "Allow", Principal: map[string]any{"AWS": identity.RootARN(u.keyAccount)}, Action: "kms:*", Resource: "*"}
}

// principalARN is how a key policy names a reader: a session by its role.
func principalARN(r reader) string {
	if r.p.Type == identity.AssumedRole {
		return r.p.RoleARN
	}
	return r.p.ARN
}
