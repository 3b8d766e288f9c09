package cloudtrail_test

import (
	"context"
	"fmt"
	"testing"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// The checks CloudTrail makes of a trail's bucket and key when it is created or updated, made
// through S3 and KMS as cloudtrail.amazonaws.com with the trail as aws:SourceArn, so that the
// bucket and key policies of the seed's pages decide
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html).
func TestTrailChecks(t *testing.T) {
	tw := newTrailWorld(t)
	tw.bucket(t, "logs", "us-east-1", trailBucketPolicy("logs", trailARN))
	tw.bucket(t, "no-policy", "us-east-1", "")
	tw.bucket(t, "other-trail", "us-east-1", trailBucketPolicy("other-trail", "arn:aws:cloudtrail:us-east-1:"+acct+":trail/other"))
	tw.bucket(t, "eu-logs", "eu-west-1", trailBucketPolicy("eu-logs", trailARN))

	good := tw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement, describeStatement))
	euKey := tw.key(t, "eu-west-1", keyPolicy(rootStatement, encryptStatement, describeStatement))
	noEncrypt := tw.key(t, "us-east-1", keyPolicy(rootStatement, describeStatement))
	noDescribe := tw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement))
	wrongSource := tw.key(t, "us-east-1", keyPolicy(rootStatement, describeStatement,
		`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*","Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:`+acct+`:trail/other"}}}`))
	disabled := tw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement, describeStatement))
	servicetest.Call(tw.root, tw.KMS.DisableKey, &kms.KeyIDInput{KeyID: disabled}).OK()
	servicetest.Call(tw.root, tw.KMS.CreateAlias, &kms.AliasInput{AliasName: "alias/trail", TargetKeyID: good}).OK()

	trail := func(bucket, key string) *ct.CreateTrailInput {
		return &ct.CreateTrailInput{Name: "management", S3BucketName: bucket, KmsKeyID: key}
	}
	root := tw.Root(acct)
	reader := tw.User(acct, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:Get*","Resource":"*"}]}`)
	create := func(in *ct.CreateTrailInput) func(context.Context) error {
		return servicetest.Op(tw.CT.CreateTrail, in)
	}
	no, yes := false, true
	tags := make([]ct.Tag, 51)
	for i := range tags {
		tags[i] = ct.Tag{Key: fmt.Sprintf("k%d", i)}
	}
	steps := []servicetest.Step{
		{Name: "bucket missing", As: root, Do: create(trail("missing", "")), Want: "S3BucketDoesNotExistException"},
		{Name: "bucket name not valid", As: root, Do: create(trail("Not_A_Bucket", "")), Want: "InvalidS3BucketNameException"},
		{Name: "bucket policy missing", As: root, Do: create(trail("no-policy", "")), Want: "InsufficientS3BucketPolicyException"},
		{Name: "bucket policy for another trail (aws:SourceArn)", As: root, Do: create(trail("other-trail", "")), Want: "InsufficientS3BucketPolicyException"},
		{Name: "prefix ending in a slash", As: root, Do: create(&ct.CreateTrailInput{Name: "management", S3BucketName: "logs", S3KeyPrefix: "p/"}), Want: "InvalidS3PrefixException"},
		{Name: "KmsKeyId in no key form", As: root, Do: create(trail("logs", "trail-key")), Want: "InvalidKmsKeyIdException"},
		{Name: "key policy lacks kms:GenerateDataKey* for CloudTrail", As: root, Do: create(trail("logs", noEncrypt)), Want: "InsufficientEncryptionPolicyException"},
		{Name: "key policy lacks kms:DescribeKey for CloudTrail", As: root, Do: create(trail("logs", noDescribe)), Want: "InsufficientEncryptionPolicyException"},
		{Name: "key policy for another trail (aws:SourceArn)", As: root, Do: create(trail("logs", wrongSource)), Want: "InsufficientEncryptionPolicyException"},
		{Name: "disabled key", As: root, Do: create(trail("logs", disabled)), Want: "KmsException"},
		{Name: "no such key", As: root, Do: create(trail("logs", "arn:aws:kms:us-east-1:"+acct+":key/00000000-0000-4000-8000-000000000000")), Want: "KmsKeyNotFoundException"},
		{Name: "key in another region than the bucket", As: root, Do: create(trail("logs", euKey)), Want: "KmsKeyNotFoundException"},
		{Name: "SNS topic", As: root, Do: create(&ct.CreateTrailInput{Name: "management", S3BucketName: "logs", SnsTopicName: "topic"}), Want: "InvalidSnsTopicNameException"},
		{Name: "CloudWatch Logs", As: root, Do: create(&ct.CreateTrailInput{Name: "management", S3BucketName: "logs", CloudWatchLogsLogGroupArn: "arn:aws:logs:us-east-1:" + acct + ":log-group:g"}), Want: "InvalidCloudWatchLogsLogGroupArnException"},
		{Name: "organization trail", As: root, Do: create(&ct.CreateTrailInput{Name: "management", S3BucketName: "logs", IsOrganizationTrail: &yes}), Want: "OrganizationsNotInUseException"},
		{Name: "multi-region without global events", As: root, Do: create(&ct.CreateTrailInput{Name: "management", S3BucketName: "logs", IsMultiRegionTrail: &yes, IncludeGlobalServiceEvents: &no}), Want: "InvalidParameterCombinationException"},
		{Name: "name not valid", As: root, Do: create(&ct.CreateTrailInput{Name: "a..b", S3BucketName: "logs"}), Want: "InvalidTrailNameException"},
		{Name: "aws: tag", As: root, Do: create(&ct.CreateTrailInput{Name: "management", S3BucketName: "logs", TagsList: []ct.Tag{{Key: "aws:x"}}}), Want: "InvalidTagParameterException"},
		{Name: "51 tags", As: root, Do: create(&ct.CreateTrailInput{Name: "management", S3BucketName: "logs", TagsList: tags}), Want: "TagsLimitExceededException"},
		{Name: "a user without cloudtrail:CreateTrail", As: reader, Do: create(trail("logs", "")), Want: "AccessDeniedException"},
		{Name: "a bucket in another region, with a key there", As: root, Do: create(trail("eu-logs", euKey))},
		{Name: "the same name again", As: root, Do: create(trail("logs", "")), Want: "TrailAlreadyExistsException"},
	}
	tw.Run(t, steps)

	// The trail's key is the key's ARN, whatever form named it; an alias names a key too.
	got := servicetest.Call(tw.root, tw.CT.GetTrail, &ct.NameInput{Name: "management"}).OK()
	if got.Trail.KmsKeyID != euKey || got.Trail.S3BucketName != "eu-logs" || got.Trail.HomeRegion != "us-east-1" {
		t.Fatalf("GetTrail = %+v", got.Trail)
	}
	out := servicetest.Call(tw.root, tw.CT.UpdateTrail, &ct.UpdateTrailInput{Name: "management", S3BucketName: ptr("logs"), KmsKeyID: ptr("alias/trail")}).OK()
	if out.KmsKeyID != good {
		t.Fatalf("UpdateTrail with alias/trail: key %s, want %s", out.KmsKeyID, good)
	}
	servicetest.Call(tw.root, tw.CT.UpdateTrail, &ct.UpdateTrailInput{Name: "management", KmsKeyID: ptr(noEncrypt)}).Want("InsufficientEncryptionPolicyException")
	out = servicetest.Call(tw.root, tw.CT.UpdateTrail, &ct.UpdateTrailInput{Name: "management", KmsKeyID: ptr("")}).OK()
	if out.KmsKeyID != "" {
		t.Fatalf("UpdateTrail with an empty KmsKeyId kept key %s", out.KmsKeyID)
	}
}

func ptr[T any](v T) *T { return &v }
