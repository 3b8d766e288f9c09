package keytrailtest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/keytrail/keytrail/keytrailtest"
)

// A test starts keytrail with keytrailtest.Start(t) and it stops when the test ends; New and
// Close do the same where there is no *testing.T.
func ExampleNew() {
	srv, err := keytrailtest.New()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	c := kms.NewFromConfig(srv.Config("111122223333"))
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("example")})
	if err != nil {
		log.Fatal(err)
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("hello")})
	if err != nil {
		log.Fatal(err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(dec.Plaintext), aws.ToString(dec.KeyId) == aws.ToString(key.KeyMetadata.Arn))
	// Output: hello true
}

// An IAM user whose policy allows kms:Encrypt only is refused kms:Decrypt.
func ExampleServer_CreateUser() {
	srv, err := keytrailtest.New()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	key, err := kms.NewFromConfig(srv.Config("111122223333")).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		log.Fatal(err)
	}
	writer, err := srv.CreateUser(ctx, "111122223333", "writer",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}`)
	if err != nil {
		log.Fatal(err)
	}
	c := kms.NewFromConfig(writer)
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("secret")})
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	var ae smithy.APIError
	if errors.As(err, &ae) {
		fmt.Println(ae.ErrorCode())
	}
	// Output: AccessDeniedException
}

// The seed scenario (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail-decrypt.html):
// a trail encrypts its log files with a KMS key whose policy lets CloudTrail encrypt and Bob
// decrypt. Alice may read the bucket but holds no kms:Decrypt, so S3 refuses her the log file;
// Bob reads it.
func Example_encryptedTrailReaderWithoutDecrypt() {
	const account = "111122223333"
	srv, err := keytrailtest.New()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	trailARN := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/management"
	readBucket := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::trail-logs","arn:aws:s3:::trail-logs/*"]}]}`
	alice, err := srv.CreateUser(ctx, account, "Alice", readBucket)
	if err != nil {
		log.Fatal(err)
	}
	bob, err := srv.CreateUser(ctx, account, "Bob", readBucket)
	if err != nil {
		log.Fatal(err)
	}

	// The log bucket, with CloudTrail's bucket policy.
	owner := srv.S3(account)
	if _, err := owner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}); err != nil {
		log.Fatal(err)
	}
	if _, err := owner.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::trail-logs",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"}}},
 {"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::trail-logs/AWSLogs/` + account + `/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"` + trailARN + `"}}}]}`)}); err != nil {
		log.Fatal(err)
	}

	// The key, with the seed's statements: CloudTrail encrypts, Bob decrypts log files.
	key, err := kms.NewFromConfig(srv.Config(account)).CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"},"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:` + account + `:trail/*"}}},
 {"Sid":"Allow CloudTrail to describe key","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:DescribeKey","Resource":"*"},
 {"Sid":"Enable CloudTrail log decrypt permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:user/Bob"},"Action":"kms:Decrypt","Resource":"*",
  "Condition":{"Null":{"kms:EncryptionContext:aws:cloudtrail:arn":"false"}}}]}`)})
	if err != nil {
		log.Fatal(err)
	}

	// The trail, logging; keytrail delivers its log file now.
	ct := cloudtrail.NewFromConfig(srv.Config(account))
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs"),
		KmsKeyId: key.KeyMetadata.Arn}); err != nil {
		log.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")}); err != nil {
		log.Fatal(err)
	}
	if _, err := srv.Deliver(ctx); err != nil {
		log.Fatal(err)
	}
	files, err := srv.ReadLogFiles(ctx, account, "trail-logs")
	if err != nil || len(files) == 0 {
		log.Fatal("no log file: ", err)
	}
	logFile := &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(files[0].Key)}

	_, err = s3.NewFromConfig(alice, srv.S3Options).GetObject(ctx, logFile)
	var ae smithy.APIError
	if errors.As(err, &ae) {
		fmt.Println("Alice:", ae.ErrorCode())
	}
	out, err := s3.NewFromConfig(bob, srv.S3Options).GetObject(ctx, logFile)
	if err != nil {
		log.Fatal(err)
	}
	out.Body.Close()
	fmt.Println("Bob:", aws.ToString(out.ContentType), out.ServerSideEncryption)
	// Output:
	// Alice: AccessDenied
	// Bob: application/json aws:kms
}
