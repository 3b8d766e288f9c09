package app_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Permissions boundaries through the wire: IAM stores them, the engine caps identity permissions
// with them (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).

const (
	adminPolicy  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	kmsOnly      = `{"Version":"2012-10-17","Statement":[{"Sid":"KMSOnly","Effect":"Allow","Action":"kms:*","Resource":"*"}]}`
	boundaryARN  = "arn:aws:iam::" + account + ":policy/KMSOnly"
	boundaryDeny = "because no permissions boundary allows the s3:ListAllMyBuckets action"
)

// wantBoundary fails unless a user's or role's boundary is arn (none when arn is "").
func wantBoundary(t *testing.T, got *iamtypes.AttachedPermissionsBoundary, arn string) {
	t.Helper()
	switch {
	case arn == "" && got != nil:
		t.Fatalf("boundary = %+v, want none", got)
	case arn == "":
	case got == nil || got.PermissionsBoundaryType != iamtypes.PermissionsBoundaryAttachmentTypePolicy || aws.ToString(got.PermissionsBoundaryArn) != arn:
		t.Fatalf("boundary = %s %q, want %s", got.PermissionsBoundaryType, aws.ToString(got.PermissionsBoundaryArn), arn)
	}
}

// usage returns a managed policy's PermissionsBoundaryUsageCount.
func usage(t *testing.T, c *iam.Client, arn string) int32 {
	t.Helper()
	return aws.ToInt32(must(c.GetPolicy(context.Background(), &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy.PermissionsBoundaryUsageCount)
}

func TestPermissionsBoundaryOfAUser(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootIAM()
	must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("KMSOnly"), PolicyDocument: aws.String(kmsOnly)}))(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(boundaryARN)}))(t)
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bounded"), PolicyName: aws.String("admin"), PolicyDocument: aws.String(adminPolicy)}))(t)
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bounded")}))(t).AccessKey
	id, key := aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey)

	// GetUser shows the boundary, ListUsers does not; the policy counts the use.
	wantBoundary(t, must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bounded")}))(t).User.PermissionsBoundary, boundaryARN)
	for _, u := range must(c.ListUsers(ctx, &iam.ListUsersInput{}))(t).Users {
		wantBoundary(t, u.PermissionsBoundary, "")
	}
	if n := usage(t, c, boundaryARN); n != 1 {
		t.Fatalf("PermissionsBoundaryUsageCount = %d, want 1", n)
	}

	// Within the boundary the inline policy allows; outside it, the boundary is named.
	must(e.kms(id, key, "").ListKeys(ctx, &kms.ListKeysInput{}))(t)
	s3c := e.s3client(id, key, "us-east-1", true)
	_, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantMessage(t, err, "AccessDenied", "User: arn:aws:iam::"+account+":user/bounded is not authorized to perform: s3:ListAllMyBuckets")
	wantMessage(t, err, "AccessDenied", boundaryDeny)

	// A policy in use as a boundary cannot be deleted.
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(boundaryARN)})
	wantCode(t, err, "DeleteConflict")

	// Removing and putting the boundary back changes the outcome at once.
	must(c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bounded")}))(t)
	must(s3c.ListBuckets(ctx, &s3.ListBucketsInput{}))(t)
	wantBoundary(t, must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bounded")}))(t).User.PermissionsBoundary, "")
	if n := usage(t, c, boundaryARN); n != 0 {
		t.Fatalf("PermissionsBoundaryUsageCount = %d, want 0", n)
	}
	must(c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bounded")}))(t) // none: no change
	must(c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(boundaryARN)}))(t)
	_, err = s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantMessage(t, err, "AccessDenied", boundaryDeny)

	// A bucket policy naming the user itself is not limited by the boundary.
	root := e.s3client(account, rootSecret, "us-east-1", true)
	must(root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared")}))(t)
	_, err = s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("shared")})
	wantCode(t, err, "AccessDenied")
	bucketPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:user/bounded"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::shared"}]}`
	must(root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("shared"), Policy: aws.String(bucketPolicy)}))(t)
	must(s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("shared")}))(t)

	// Deleting a user with a boundary releases the boundary.
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("temp"), PermissionsBoundary: aws.String(boundaryARN)}))(t)
	if n := usage(t, c, boundaryARN); n != 2 {
		t.Fatalf("PermissionsBoundaryUsageCount = %d, want 2", n)
	}
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("temp")}))(t)
	if n := usage(t, c, boundaryARN); n != 1 {
		t.Fatalf("PermissionsBoundaryUsageCount = %d, want 1", n)
	}
}

func TestPermissionsBoundaryOfARole(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootIAM()
	must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("KMSOnly"), PolicyDocument: aws.String(kmsOnly)}))(t)
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("worker"), AssumeRolePolicyDocument: aws.String(trustPolicy), PermissionsBoundary: aws.String(boundaryARN)}))(t)
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("admin"), PolicyDocument: aws.String(adminPolicy)}))(t)
	wantBoundary(t, must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("worker")}))(t).Role.PermissionsBoundary, boundaryARN)
	for _, r := range must(c.ListRoles(ctx, &iam.ListRolesInput{}))(t).Roles {
		wantBoundary(t, r.PermissionsBoundary, "")
	}

	// The role's sessions are limited by its boundary.
	bobID, bobSecret := e.user(t, account, "bob", assumeAnyRole)
	cr := must(e.sts(bobID, bobSecret, "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/worker"), RoleSessionName: aws.String("s1")}))(t).Credentials
	id, key, token := aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)
	must(e.kms(id, key, token).ListKeys(ctx, &kms.ListKeysInput{}))(t)
	s3c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), UsePathStyle: true, RetryMaxAttempts: 1, Credentials: creds(id, key, token)})
	_, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantMessage(t, err, "AccessDenied", "User: arn:aws:sts::"+account+":assumed-role/worker/s1 is not authorized")
	wantMessage(t, err, "AccessDenied", boundaryDeny)

	must(c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("worker")}))(t)
	must(s3c.ListBuckets(ctx, &s3.ListBucketsInput{}))(t)
	must(c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("worker"), PermissionsBoundary: aws.String(boundaryARN)}))(t)
	_, err = s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantMessage(t, err, "AccessDenied", boundaryDeny)

	// A bucket policy naming the role is limited by the boundary; one naming the session is not.
	root := e.s3client(account, rootSecret, "us-east-1", true)
	must(root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared")}))(t)
	for _, c2 := range []struct {
		principal string
		allowed   bool
	}{
		{"arn:aws:iam::" + account + ":role/worker", false},
		{"arn:aws:sts::" + account + ":assumed-role/worker/s1", true},
	} {
		p := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + c2.principal + `"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::shared"}]}`
		must(root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("shared"), Policy: aws.String(p)}))(t)
		_, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("shared")})
		if c2.allowed {
			must(struct{}{}, err)(t)
		} else {
			wantMessage(t, err, "AccessDenied", "because no permissions boundary allows the s3:ListBucket action")
		}
	}
}

// Setting a boundary checks its ARN and policy as CreateUser does, and stores nothing it refuses;
// iam:PermissionsBoundary lets a policy require one.
func TestPermissionsBoundaryErrorsAndConditionKey(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootIAM()
	must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("KMSOnly"), PolicyDocument: aws.String(kmsOnly)}))(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))(t)
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustPolicy)}))(t)
	for _, c2 := range badBoundaries() {
		_, err := c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("u"), PermissionsBoundary: aws.String(c2.boundary)})
		wantMessage(t, err, c2.code, c2.want)
		_, err = c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"), PermissionsBoundary: aws.String(c2.boundary)})
		wantMessage(t, err, c2.code, c2.want)
	}
	wantBoundary(t, must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u")}))(t).User.PermissionsBoundary, "")
	wantBoundary(t, must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")}))(t).Role.PermissionsBoundary, "")
	_, err := c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("ghost"), PermissionsBoundary: aws.String(boundaryARN)})
	wantCode(t, err, "NoSuchEntity")
	_, err = c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("ghost")})
	wantCode(t, err, "NoSuchEntity")
	if n := usage(t, c, boundaryARN); n != 0 {
		t.Fatalf("PermissionsBoundaryUsageCount = %d after refusals", n)
	}

	// An AWS managed policy keytrail knows can be a boundary, as in AWS.
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	must(c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"), PermissionsBoundary: aws.String(admin)}))(t)
	wantBoundary(t, must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")}))(t).Role.PermissionsBoundary, admin)

	// A delegated administrator may create users only with the boundary.
	requireBoundary := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateUser","iam:PutUserPermissionsBoundary"],"Resource":"*",
		"Condition":{"StringEquals":{"iam:PermissionsBoundary":"` + boundaryARN + `"}}}]}`
	id, key := e.user(t, account, "delegate", requireBoundary)
	d := e.iam(id, key, "")
	_, err = d.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("free")})
	wantCode(t, err, "AccessDenied")
	_, err = d.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("free"), PermissionsBoundary: aws.String(admin)})
	wantCode(t, err, "AccessDenied")
	must(d.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("held"), PermissionsBoundary: aws.String(boundaryARN)}))(t)
	must(d.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("u"), PermissionsBoundary: aws.String(boundaryARN)}))(t)
	_, err = d.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("u")})
	wantCode(t, err, "AccessDenied")
}
