package advisor

import (
	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
)

// cloudTrail is the principal CloudTrail calls KMS as.
var cloudTrail = identity.Principal{Type: identity.AWSService, Service: "cloudtrail.amazonaws.com"}

// logFileKey is the S3 key of a log file of the trail t, as CloudTrail names one
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html#cloudtrail-log-filename-format).
func (t *trail) logFileKey() string {
	return t.logPrefix() + "CloudTrail/" + t.region + "/2026/12/02/" + t.account + "_CloudTrail_" + t.region + "_20261202T1200Z_policycheck.json.gz"
}

func (t *trail) logPrefix() string {
	p := "AWSLogs/" + t.account + "/"
	if t.Prefix != "" {
		p = t.Prefix + "/" + p
	}
	return p
}

// deliveryContext is the encryption context S3 asks KMS for when CloudTrail writes a log file:
// CloudTrail's aws:cloudtrail:arn, and S3's aws:s3:arn, the object's ARN or, with an S3 Bucket
// Key, the bucket's (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context).
func (t *trail) deliveryContext() map[string]string {
	return map[string]string{"aws:cloudtrail:arn": t.ARN, "aws:s3:arn": t.objectContext(t.logFileKey())}
}

// objectContext is the aws:s3:arn S3 gives the data key of an object of the trail's bucket: the
// object's ARN, or the bucket's with an S3 Bucket Key.
func (t *trail) objectContext(key string) string {
	if t.BucketKey {
		return "arn:aws:s3:::" + t.Bucket
	}
	return "arn:aws:s3:::" + t.Bucket + "/" + key
}

// checkContext is the encryption context of CloudTrail's check of a trail's key when the trail
// is created or updated.
func (t *trail) checkContext() map[string]string {
	return map[string]string{"aws:cloudtrail:arn": t.ARN, "aws:s3:arn": "arn:aws:s3:::" + t.Bucket + "/" + t.logPrefix()}
}

// source is what CloudTrail puts in its calls for a trail: aws:SourceArn and aws:SourceAccount.
func (t *trail) source() authz.Map {
	return authz.Map{"aws:SourceArn": {t.ARN}, "aws:SourceAccount": {t.account}}
}

// viaS3 adds the key S3 sets when it calls KMS for a caller (kms:ViaService).
func viaS3(keys authz.Map, region string) authz.Map {
	out := authz.Map{"kms:ViaService": {"s3." + region + ".amazonaws.com"}}
	for k, v := range keys {
		out[k] = v
	}
	return out
}

// requirements lists what the use needs of the key, each with the requests keytrail's
// CloudTrail, S3 and Lake make for it: the trails' (encrypt, describe, Bucket Key, their
// readers'), the event data stores', and the key's own manageability.
func requirements(u *use, p *policy.Policy) []requirement {
	var out []requirement
	for i := range u.trails {
		t := &u.trails[i]
		subject := t.ARN
		if t.anyTrail {
			subject = "the trails of account " + t.account
		}
		enc := requirement{id: Encrypt, title: "CloudTrail may encrypt the trail's log files (kms:GenerateDataKey*, with aws:SourceArn and the encryption context)",
			subject: subject, add: encryptStatement(u)}
		if t.account != u.keyAccount {
			enc.id, enc.title = CrossAccountEncrypt, "CloudTrail may encrypt the log files of a trail of account "+t.account+" (kms:GenerateDataKey*)"
		}
		if t.anyTrail {
			enc.note = "checked for a trail named " + accountTrailName + "; give --trail to check a trail by its ARN"
		}
		enc.probes = append(enc.probes, probe{made: "CreateTrail's key check", who: cloudTrail, action: "GenerateDataKey", ec: t.checkContext(), keys: t.source()})
		if !t.BucketKey {
			enc.probes = append(enc.probes, probe{made: "log file delivery through S3", who: cloudTrail, action: "GenerateDataKey", ec: t.deliveryContext(),
				keys: viaS3(t.source(), u.keyRegion)})
		}
		out = append(out, enc,
			requirement{id: DescribeKey, title: "CloudTrail may describe the key (kms:DescribeKey)", subject: subject, add: describeStatement(u),
				probes: []probe{{made: "CreateTrail's key check", who: cloudTrail, action: "DescribeKey", keys: t.source()}}})
		if t.BucketKey {
			out = append(out, requirement{id: BucketKey, title: "CloudTrail may use the key with the bucket's S3 Bucket Key (kms:Decrypt, and kms:GenerateDataKey with the bucket as aws:s3:arn)",
				subject: subject, add: cloudTrailDecryptStatement(),
				probes: []probe{
					{made: "CreateTrail's key check (the bucket uses an S3 Bucket Key)", who: cloudTrail, action: "Decrypt", ec: t.checkContext(), keys: t.source()},
					{made: "log file delivery through S3 with a Bucket Key", who: cloudTrail, action: "GenerateDataKey", ec: t.deliveryContext(), keys: viaS3(t.source(), u.keyRegion)},
				}})
		}
		for _, r := range u.readers {
			if r.only != "" && r.only != t.account {
				continue
			}
			dec := requirement{id: Decrypt, title: "the reader may decrypt the trail's log files (kms:Decrypt, with kms:EncryptionContext:aws:cloudtrail:arn present)",
				subject: r.arn + " reading " + subject, add: readerStatement(u)}
			if r.p.Account != u.keyAccount {
				dec.id = CrossAccountDecrypt
				dec.title = "the reader of account " + r.p.Account + " may decrypt the trail's log files (kms:Decrypt)"
				dec.note = "across accounts the reader's IAM policies must allow kms:Decrypt on the key as well; the check assumes they do"
			}
			dec.probes = []probe{{made: "S3 GetObject of a log file", who: r.p, action: "Decrypt", ec: t.deliveryContext(), keys: viaS3(nil, u.keyRegion), assume: true}}
			dec.advise = &probe{made: "S3 GetObject of an object that is not a log file", who: r.p, action: "Decrypt",
				ec: map[string]string{"aws:s3:arn": t.objectContext("not-a-log-file")}, keys: viaS3(nil, u.keyRegion), assume: true}
			out = append(out, dec)
		}
	}
	for _, s := range u.stores {
		ec := map[string]string{"aws:cloudtrail:arn": s.arn}
		switch {
		case s.account != u.keyAccount:
			out = append(out, requirement{id: StoreKey, title: "the key may encrypt the event data store", subject: s.arn,
				fact: "the key belongs to account " + u.keyAccount + ": a key from another account is not supported for event data stores (KmsException)"})
			continue
		case s.region != u.keyRegion:
			out = append(out, requirement{id: StoreKey, title: "the key may encrypt the event data store", subject: s.arn,
				fact: "the key is in " + u.keyRegion + ", the store in " + s.region + ": a store's key must be in its Region (KmsKeyNotFoundException)"})
			continue
		}
		out = append(out, requirement{id: StoreEncrypt, subject: s.arn,
			title: "CloudTrail may encrypt and decrypt the event data store (kms:GenerateDataKey, kms:Decrypt, without aws:SourceArn or aws:SourceAccount)",
			add:   storeStatement(),
			probes: []probe{
				{made: "CreateEventDataStore's key check", who: cloudTrail, action: "GenerateDataKey", ec: ec},
				{made: "CreateEventDataStore's key check", who: cloudTrail, action: "Decrypt", ec: ec},
			}})
		via := authz.Map{"kms:ViaService": {"cloudtrail." + s.region + ".amazonaws.com"}}
		for _, r := range u.readers {
			if r.only != "" {
				continue
			}
			out = append(out, requirement{id: StoreUser, subject: r.arn + " using " + s.arn,
				title: "the user may create, update and query the event data store (kms:GenerateDataKey, kms:Decrypt)",
				add:   storeUserStatement(u),
				probes: []probe{
					{made: "CreateEventDataStore and queries, as the user", who: r.p, action: "GenerateDataKey", ec: ec, keys: via, assume: true},
					{made: "CreateEventDataStore and queries, as the user", who: r.p, action: "Decrypt", ec: ec, keys: via, assume: true},
				}})
		}
	}
	return append(out, lockout(u, p))
}

// lockout is the requirement that the key stays manageable: its account's root, or a principal
// of its account the policy names, may still change the key policy
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key).
// It is met when any one of them may; the finding lists every request made.
func lockout(u *use, p *policy.Policy) requirement {
	return requirement{id: Lockout, title: "the account root or an administrator may manage the key (kms:PutKeyPolicy)", subject: u.KeyARN,
		add: rootStatement(u), anyOf: true, probes: managers(u, p)}
}
