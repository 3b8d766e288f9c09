package cloudtrail

import (
	"regexp"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/s3"
)

// The forms of a KmsKeyId: a key ID, a key ARN, an alias name or an alias ARN (KmsKeyId in https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html).
var (
	keyARNPattern   = regexp.MustCompile(`^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)$`)
	keyIDPattern    = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	aliasPattern    = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)
	aclCheckFailure = "Incorrect S3 bucket policy is detected for bucket: %s"
)

// check makes CloudTrail's checks of a trail's bucket and key (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html), through S3
// and KMS as cloudtrail.amazonaws.com for this trail, and sets the trail's key to its ARN.
func (s *Service) check(c *call, t *trailRecord) error {
	if t.Bucket == "" || !s3.ValidBucketName(t.Bucket) {
		return awserr.New(invalidBucketName, "Bucket name %q is not valid.", t.Bucket)
	}
	if len(t.Prefix) > maxPrefix || strings.HasPrefix(t.Prefix, "/") || strings.HasSuffix(t.Prefix, "/") {
		return awserr.New(invalidPrefix, "The S3 key prefix %q is not valid: at most %d characters, not beginning or ending with /.", t.Prefix, maxPrefix)
	}
	if t.KMSKey != "" && !keyARNPattern.MatchString(t.KMSKey) && !keyIDPattern.MatchString(t.KMSKey) && !aliasPattern.MatchString(t.KMSKey) {
		return awserr.New(invalidKMSKeyID, "Invalid KmsKeyId %s", t.KMSKey)
	}
	facts, ok, err := s.s3.Facts(c.ctx, t.Bucket)
	if err != nil {
		return err
	}
	if !ok {
		return awserr.New(bucketDoesNotExist, "S3 bucket %s does not exist.", t.Bucket)
	}
	ct := asCloudTrail(c.ctx, t.ARN(), t.Account)
	if _, err := s.s3.GetBucketACL(ct, t.Bucket); err != nil {
		return bucketError(err, t.Bucket)
	}
	probe := t.logPrefix() + "CloudTrail/" + t.HomeRegion + "/"
	if err := s.s3.AuthorizePutObject(ct, t.Bucket, probe, "bucket-owner-full-control"); err != nil {
		return bucketError(err, t.Bucket)
	}
	if t.KMSKey == "" {
		return nil
	}
	return s.checkKey(c, t, facts)
}

func bucketError(err error, bucket string) error {
	if ae, ok := awserr.As(err); ok && ae.Code == awserr.AccessDenied {
		return awserr.New(insufficientBucketPolicy, aclCheckFailure, bucket)
	}
	if ae, ok := awserr.As(err); ok && ae.Code == awserr.NoSuchBucket {
		return awserr.New(bucketDoesNotExist, "S3 bucket %s does not exist.", bucket)
	}
	return err
}

// checkKey verifies the trail's key as CloudTrail does: GenerateDataKey with the trail's
// context, DescribeKey, and Decrypt when the bucket uses an S3 Bucket Key, all as
// cloudtrail.amazonaws.com with the trail as aws:SourceArn; the key must be in the bucket's region.
func (s *Service) checkKey(c *call, t *trailRecord, bucket s3.BucketFacts) error {
	id := t.KMSKey
	switch m := keyARNPattern.FindStringSubmatch(id); {
	case m != nil && m[1] != bucket.Region:
		return awserr.New(kmsKeyNotFound, "KMS key %s is not in %s, the region of bucket %s.", id, bucket.Region, bucket.Name)
	case m == nil:
		// A key ID or alias name is the trail owner's, in the bucket's region.
		resource := id
		if !strings.HasPrefix(id, "alias/") {
			resource = "key/" + id
		}
		id = "arn:aws:kms:" + bucket.Region + ":" + t.Account + ":" + resource
	}
	// CloudTrail uses the key in the bucket's region, whatever the trail's home region.
	ct := kms.InRegion(asCloudTrail(c.ctx, t.ARN(), t.Account), bucket.Region)
	ec := map[string]string{"aws:cloudtrail:arn": t.ARN(), "aws:s3:arn": "arn:aws:s3:::" + t.Bucket + "/" + t.logPrefix()}
	gin := &kms.GenerateDataKeyInput{}
	gin.KeyID, gin.KeySpec, gin.EncryptionContext = id, "AES_256", ec
	out, err := s.kms.GenerateDataKey(ct, gin)
	if err != nil {
		return keyError(err, t, id, "kms:GenerateDataKey")
	}
	clear(out.Plaintext)
	keyARN := out.KeyID
	if _, err := s.kms.DescribeKey(ct, &kms.DescribeKeyInput{KeyID: keyARN}); err != nil {
		return keyError(err, t, keyARN, "kms:DescribeKey")
	}
	if bucket.BucketKey {
		if _, err := s.kms.Decrypt(ct, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: ec, KeyID: keyARN}); err != nil {
			return keyError(err, t, keyARN, "kms:Decrypt (the bucket uses an S3 Bucket Key)")
		}
	}
	t.KMSKey = keyARN
	return nil
}

// keyError maps KMS's answer to a trail's key check to CloudTrail's error (the Errors of
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html).
func keyError(err error, t *trailRecord, key, permission string) error {
	ae, ok := awserr.As(err)
	if !ok {
		return err
	}
	switch ae.Code {
	case awserr.AccessDeniedException:
		return awserr.New(insufficientEncryptionPol, "Insufficient permissions to access S3 bucket %s or KMS key %s: the key policy does not allow cloudtrail.amazonaws.com %s for trail %s.",
			t.Bucket, key, permission, t.ARN())
	case awserr.NotFoundException:
		return awserr.New(kmsKeyNotFound, "KMS key %s does not exist.", key)
	}
	// A disabled key, one pending deletion, or another refusal: KMS's message.
	return awserr.New(kmsException, "%s", ae.Message)
}
