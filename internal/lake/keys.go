package lake

import (
	"context"
	"regexp"
	"strings"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
)

// The forms of a KmsKeyId: a key ID, a key ARN, an alias name or an alias ARN (KmsKeyId in
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateEventDataStore.html).
var (
	keyARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)$`)
	keyIDPattern  = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	aliasPattern  = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)
)

// cloudTrail is the principal CloudTrail uses a store's key as.
var cloudTrail = identity.Principal{Type: identity.AWSService, Service: "cloudtrail.amazonaws.com"}

// checkKey checks the key id names for the store r, as the seed page requires
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html,
// "Required KMS key policy elements for event data stores"), and returns its ARN:
//
//   - id is an alias name, alias ARN, key ARN or key ID (else InvalidKmsKeyIdException);
//   - a key of another account is refused (KmsException: "A key from another account is not
//     supported"), one of another Region is not found (KmsKeyNotFoundException);
//   - the caller must be allowed kms:GenerateDataKey and kms:Decrypt by the key policy and its
//     identity policies ("need decrypt permissions to create or update event data stores");
//   - cloudtrail.amazonaws.com must be allowed kms:GenerateDataKey and kms:Decrypt by the key
//     policy, with no aws:SourceArn or aws:SourceAccount (which "are not supported in KMS key
//     policies for event data stores"), so statements conditioned on them do not match;
//   - a refusal of either is InsufficientEncryptionPolicyException; a disabled key, one
//     pending deletion or one that cannot make data keys is KmsException; a key that does not
//     exist is KmsKeyNotFoundException.
//
// Each check is a real KMS call through Keys, with the encryption context
// {"aws:cloudtrail:arn": <store ARN>}; the caller's calls carry kms:ViaService (CloudTrail in
// the store's Region).
func (s *Service) checkKey(c *call, r *storeRecord, id string) (string, error) {
	if m := keyARNPattern.FindStringSubmatch(id); m != nil {
		switch {
		case m[2] != r.Account:
			return "", awserr.New(kmsException, "KMS key %s belongs to account %s: a key from another account is not supported for event data stores.", id, m[2])
		case m[1] != r.Region:
			return "", awserr.New(kmsKeyNotFound, "KMS key %s is not in %s, the Region of event data store %s.", id, r.Region, r.ARN())
		}
	} else if !keyIDPattern.MatchString(id) && !aliasPattern.MatchString(id) {
		return "", awserr.New(invalidKMSKeyID, "Invalid KmsKeyId %s", id)
	}
	ec := map[string]string{"aws:cloudtrail:arn": r.ARN()}
	asCaller := kms.InRegion(authz.WithKeys(c.Ctx, authz.Map{"kms:ViaService": {"cloudtrail." + r.Region + ".amazonaws.com"}}), r.Region)
	keyARN, err := s.exercise(asCaller, id, ec, c.P.ARN)
	if err != nil {
		return "", err
	}
	asService := kms.InRegion(identity.WithPrincipal(c.Ctx, cloudTrail), r.Region)
	if _, err := s.exercise(asService, keyARN, ec, cloudTrail.Service); err != nil {
		return "", err
	}
	return keyARN, nil
}

// exercise makes a data key under id and decrypts it again, as ctx's caller (who names it in
// messages); it returns the key's ARN.
func (s *Service) exercise(ctx context.Context, id string, ec map[string]string, who string) (string, error) {
	gin := &kms.GenerateDataKeyInput{}
	gin.KeyID, gin.KeySpec, gin.EncryptionContext = id, "AES_256", ec
	out, err := s.keys.GenerateDataKey(ctx, gin)
	if err != nil {
		return "", keyError(err, id, who, "kms:GenerateDataKey")
	}
	clear(out.Plaintext)
	dec, err := s.keys.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: ec, KeyID: out.KeyID})
	if err != nil {
		return "", keyError(err, out.KeyID, who, "kms:Decrypt")
	}
	clear(dec.Plaintext)
	return out.KeyID, nil
}

// keyError maps KMS's answer to CloudTrail's error for a store's key (the Errors of
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateEventDataStore.html).
func keyError(err error, key, who, action string) error {
	ae, ok := awserr.As(err)
	if !ok {
		return err
	}
	switch ae.Code {
	case awserr.AccessDeniedException:
		return awserr.New(insufficientEncryption, "The policy for KMS key %s does not have sufficient permissions for the operation: %s is not allowed %s.", key, who, action)
	case awserr.NotFoundException:
		return awserr.New(kmsKeyNotFound, "KMS key %s does not exist.", key)
	}
	// A disabled key, one pending deletion, one that is not a symmetric encryption key.
	return awserr.New(kmsException, "KMS key %s cannot be used for the event data store: %s", key, strings.TrimSpace(ae.Message))
}
