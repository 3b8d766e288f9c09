package advisor

import (
	"github.com/keytrail/keytrail/internal/identity"
)

// statement is a key policy statement to add, in the seed's form
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
type statement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Principal map[string]any            `json:"Principal"`
	Action    any                       `json:"Action"`
	Resource  string                    `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

var cloudTrailPrincipal = map[string]any{"Service": cloudTrail.Service}

// encryptStatement is "Allow CloudTrail to encrypt logs", for every trail of the use (a trail
// standing for its account by the pattern of the account's trails): one statement, since adding
// it replaces the statement of the same Sid.
func encryptStatement(u *use) statement {
	sources, contexts := trailSources(u)
	cond := map[string]map[string]any{"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": oneOrList(contexts)}}
	addSources(cond, sources, u)
	return statement{Sid: "Allow CloudTrail to encrypt logs", Effect: "Allow", Principal: cloudTrailPrincipal, Action: "kms:GenerateDataKey*", Resource: "*", Condition: cond}
}

// describeStatement is "Allow CloudTrail access": kms:DescribeKey for every trail of the use.
func describeStatement(u *use) statement {
	sources, _ := trailSources(u)
	cond := map[string]map[string]any{}
	addSources(cond, sources, u)
	return statement{Sid: "Allow CloudTrail access", Effect: "Allow", Principal: cloudTrailPrincipal, Action: "kms:DescribeKey", Resource: u.KeyARN, Condition: cond}
}

// trailSources are the aws:SourceArn values of the use's trails and the
// kms:EncryptionContext:aws:cloudtrail:arn patterns of their accounts.
func trailSources(u *use) (sources, contexts []string) {
	for _, t := range u.trails {
		source := t.ARN
		if t.anyTrail {
			source = "arn:aws:cloudtrail:*:" + t.account + ":trail/*"
		}
		sources = appendNew(sources, source)
		contexts = appendNew(contexts, "arn:aws:cloudtrail:*:"+t.account+":trail/*")
	}
	return sources, contexts
}

// addSources adds the aws:SourceArn condition: StringEquals as the seed writes it, StringLike
// when a pattern stands for an account's trails.
func addSources(cond map[string]map[string]any, sources []string, u *use) {
	op := "StringEquals"
	for _, t := range u.trails {
		if t.anyTrail {
			op = "StringLike"
		}
	}
	if cond[op] == nil {
		cond[op] = map[string]any{}
	}
	cond[op]["aws:SourceArn"] = oneOrList(sources)
}

func appendNew(list []string, v string) []string {
	for _, have := range list {
		if have == v {
			return list
		}
	}
	return append(list, v)
}

// oneOrList is a JSON string for one value, else a list.
func oneOrList(vs []string) any {
	if len(vs) == 1 {
		return vs[0]
	}
	return vs
}

// cloudTrailDecryptStatement is "Allow CloudTrail to decrypt a trail", which a bucket with an S3
// Bucket Key needs.
func cloudTrailDecryptStatement() statement {
	return statement{Sid: "Allow CloudTrail to decrypt a trail", Effect: "Allow", Principal: cloudTrailPrincipal, Action: "kms:Decrypt", Resource: "*"}
}

// readerStatement is "Enable CloudTrail log decrypt permissions" for every reader of the use (a
// role session by its role), with the Null condition that keeps it to CloudTrail's log files.
func readerStatement(u *use) statement {
	return statement{Sid: "Enable CloudTrail log decrypt permissions", Effect: "Allow", Principal: map[string]any{"AWS": readerARNs(u, true)},
		Action: "kms:Decrypt", Resource: u.KeyARN, Condition: map[string]map[string]any{"Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "false"}}}
}

// storeStatement is "Allow CloudTrail to encrypt event data store": no condition, since
// aws:SourceArn and aws:SourceAccount are not supported for event data stores.
func storeStatement() statement {
	return statement{Sid: "Allow CloudTrail to encrypt event data store", Effect: "Allow", Principal: cloudTrailPrincipal,
		Action: []string{"kms:GenerateDataKey", "kms:Decrypt"}, Resource: "*"}
}

// storeUserStatement is "Enable user key permissions for event data stores" for the readers.
func storeUserStatement(u *use) statement {
	return statement{Sid: "Enable user key permissions for event data stores", Effect: "Allow", Principal: map[string]any{"AWS": readerARNs(u, false)},
		Action: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Resource: "*"}
}

// rootStatement is "Enable IAM user permissions": the account's root may do everything with the
// key, and delegates to the account's IAM policies.
func rootStatement(u *use) statement {
	return statement{Sid: "Enable IAM user permissions", Effect: "Allow", Principal: map[string]any{"AWS": identity.RootARN(u.keyAccount)}, Action: "kms:*", Resource: "*"}
}

// readerARNs is how a key policy names the readers: a session by its role; with accounts, the
// roots of the accounts given without readers.
func readerARNs(u *use, accounts bool) any {
	var out []string
	for _, r := range u.readers {
		if r.only != "" && !accounts {
			continue
		}
		arn := r.p.ARN
		if r.p.Type == identity.AssumedRole {
			arn = r.p.RoleARN
		}
		out = appendNew(out, arn)
	}
	return oneOrList(out)
}
