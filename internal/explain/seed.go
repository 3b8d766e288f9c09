package explain

import (
	"strings"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/identity"
)

// The statements the CloudTrail key policy page asks for, by the Sid it gives them
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
const (
	sidEncryptLogs    = "Allow CloudTrail to encrypt logs"
	sidDescribeKey    = "Allow CloudTrail access"
	sidDecryptTrail   = "Allow CloudTrail to decrypt a trail"
	sidEncryptStore   = "Allow CloudTrail to encrypt event data store"
	sidDecryptStore   = "Allow CloudTrail to decrypt an event data store"
	sidUserStore      = "Enable user key permissions for event data stores"
	sidDecryptLogs    = "Enable CloudTrail log decrypt permissions"
	cloudTrailService = "cloudtrail.amazonaws.com"
	cloudTrailArnKey  = "kms:EncryptionContext:aws:cloudtrail:arn"
)

// use is what a KMS call was for, as the seed page tells them apart.
type use struct {
	trail, store string // the trail or event data store the key was used for
	account      string // the account CloudTrail acted for
}

func useOf(req authz.Request, k keys) (use, bool) {
	if !strings.HasPrefix(req.Action, "kms:") {
		return use{}, false
	}
	u := use{account: k.first("aws:SourceAccount")}
	for _, v := range []string{k.first("aws:SourceArn"), k.first(cloudTrailArnKey)} {
		switch {
		case strings.Contains(v, ":trail/") && u.trail == "":
			u.trail = v
		case strings.Contains(v, ":eventdatastore/") && u.store == "":
			u.store = v
		}
	}
	if u.account == "" {
		if parts := strings.SplitN(u.trail+u.store, ":", 6); len(parts) == 6 {
			u.account = parts[4]
		}
	}
	return u, u.trail != "" || u.store != ""
}

// seedStatement is the seed page's statement that allows a CloudTrail key use, when req is one.
func seedStatement(req authz.Request, k keys) (statementJSON, bool) {
	u, ok := useOf(req, k)
	if !ok {
		return statementJSON{}, false
	}
	svc := req.Principal.Type == identity.AWSService && req.Principal.Service == cloudTrailService
	op := strings.ToLower(strings.TrimPrefix(req.Action, "kms:"))
	cloudTrail := map[string]any{"Service": cloudTrailService}
	switch {
	case svc && u.trail != "" && strings.HasPrefix(op, "generatedatakey"):
		return statementJSON{Sid: sidEncryptLogs, Effect: "Allow", Principal: cloudTrail, Action: "kms:GenerateDataKey*", Resource: "*",
			Condition: map[string]map[string]any{
				"StringEquals": {"aws:SourceArn": u.trail},
				"StringLike":   {cloudTrailArnKey: "arn:aws:cloudtrail:*:" + u.account + ":trail/*"},
			}}, true
	case svc && u.trail != "" && op == "describekey":
		return statementJSON{Sid: sidDescribeKey, Effect: "Allow", Principal: cloudTrail, Action: "kms:DescribeKey", Resource: req.Resource,
			Condition: map[string]map[string]any{"StringEquals": {"aws:SourceArn": u.trail}}}, true
	case svc && u.trail != "" && op == "decrypt":
		return statementJSON{Sid: sidDecryptTrail, Effect: "Allow", Principal: cloudTrail, Action: "kms:Decrypt", Resource: "*"}, true
	case svc && u.store != "" && op == "decrypt":
		return statementJSON{Sid: sidDecryptStore, Effect: "Allow", Principal: cloudTrail, Action: "kms:Decrypt", Resource: "*"}, true
	case svc && u.store != "":
		// No aws:SourceArn or aws:SourceAccount: the page says they are not supported for stores.
		return statementJSON{Sid: sidEncryptStore, Effect: "Allow", Principal: cloudTrail, Action: []string{"kms:GenerateDataKey", "kms:Decrypt"}, Resource: "*"}, true
	case svc:
		return statementJSON{}, false
	case u.store != "" && (op == "decrypt" || op == "generatedatakey"):
		return statementJSON{Sid: sidUserStore, Effect: "Allow", Principal: principalOf(req.Principal), Action: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Resource: "*"}, true
	case u.trail != "" && op == "decrypt":
		return statementJSON{Sid: sidDecryptLogs, Effect: "Allow", Principal: principalOf(req.Principal), Action: "kms:Decrypt", Resource: req.Resource,
			Condition: map[string]map[string]any{"Null": {cloudTrailArnKey: "false"}}}, true
	}
	return statementJSON{}, false
}

// missing names, for CloudTrail's own calls, the permission it lacked as the seed page lists it.
func missing(req authz.Request, k keys) string {
	if req.Principal.Type != identity.AWSService {
		return ""
	}
	s, ok := seedStatement(req, k)
	if !ok {
		return req.Principal.Service + " needs " + req.Action + " on " + req.Resource
	}
	u, _ := useOf(req, k)
	what := "trail " + u.trail
	if u.trail == "" {
		what = "event data store " + u.store
	}
	return req.Principal.Service + " needs " + req.Action + " on " + req.Resource + " for " + what +
		": the key policy statement \"" + s.Sid + "\" of the CloudTrail key policy page"
}
