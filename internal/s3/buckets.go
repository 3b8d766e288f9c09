package s3

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/store"
)

// bucketRecord is the stored form of a bucket (format version 1). Bucket names are global.
type bucketRecord struct {
	store.Version
	Name    string    `json:"name"`
	Owner   string    `json:"owner"` // account ID
	Region  string    `json:"region"`
	Created time.Time `json:"created"`
	Policy  string    `json:"policy,omitempty"` // exactly as given

	Encryption *BucketEncryption `json:"encryption,omitempty"` // nil: SSE-S3
	Tags       []Tag             `json:"tags,omitempty"`
}

// ARN is the bucket's ARN.
func (b *bucketRecord) ARN() string { return "arn:aws:s3:::" + b.Name }

// bucketNamePattern is S3's general-purpose bucket naming rule: 3–63 lower-case letters, digits,
// dots and hyphens, starting and ending with a letter or digit.
var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func checkBucketName(name string) error {
	switch {
	case !bucketNamePattern.MatchString(name), strings.Contains(name, ".."),
		reservedBucketName(name), isIPv4(name):
		return awserr.New(awserr.InvalidBucketName, "The specified bucket is not valid.")
	}
	return nil
}

func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

func noSuchBucket(_ string) error {
	return awserr.New(awserr.NoSuchBucket, "The specified bucket does not exist")
}

// getBucket reads a bucket record; nil when there is none.
func getBucket(tx store.Tx, name string) (*bucketRecord, error) { return buckets.Get(tx, name) }

func putBucket(tx store.Tx, b *bucketRecord) error { return buckets.Put(tx, b.Name, b) }

// bucket loads a bucket and authorizes action on it (resource: the bucket ARN, or an object
// ARN under it when key is not empty) against its policy and the caller's identity policies.
func (s *Service) bucket(c *call, action, name, key string, keys authz.Map) (*bucketRecord, error) {
	if err := checkBucketName(name); err != nil {
		return nil, noSuchBucket(name)
	}
	var b *bucketRecord
	err := s.db.View(c.Ctx, func(tx store.Tx) (err error) {
		b, err = getBucket(tx, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, noSuchBucket(name)
	}
	resource := b.ARN()
	if key != "" {
		resource += "/" + key
	}
	if err := s.authorize(c, action, resource, b, keys); err != nil {
		return nil, err
	}
	return b, nil
}

// authorize is the one authorization call of an S3 operation on a bucket or object.
func (s *Service) authorize(c *call, action, resource string, b *bucketRecord, keys authz.Map) error {
	var rp *policy.Policy
	if b.Policy != "" {
		var err error
		if rp, err = s.policies.Parse(b.Policy, policy.Bucket); err != nil {
			return fmt.Errorf("s3: stored policy of %s: %w", b.Name, err)
		}
	}
	req := authz.Request{Principal: c.P, Action: "s3:" + action, Resource: resource, ResourceAccount: b.Owner, ResourcePolicy: rp, Context: keys,
		Recorded: []request.Resource{{Type: "AWS::S3::Bucket", ARN: BucketARN(b.Name), Account: b.Owner}}}
	if resource != BucketARN(b.Name) {
		req.Recorded = []request.Resource{{Type: "AWS::S3::Object", ARN: resource}, req.Recorded[0]}
	}
	d, err := s.az.Authorize(c.Ctx, req)
	if err != nil {
		return err
	}
	// The bucket owner's root may always manage the bucket policy, so that a policy cannot lock
	// the owner out (as in S3).
	rootOfOwner := c.P.Type == identity.Root && c.P.Account == b.Owner
	if !d.Allowed && !(rootOfOwner && strings.HasSuffix(action, "BucketPolicy")) {
		authz.Record(c.Ctx, s.az, req, d)
		return awserr.New(awserr.AccessDenied, "%s", authz.S3DeniedMessage(req, d))
	}
	return nil
}

// CreateBucketInput is the CreateBucket request.
type CreateBucketInput struct {
	Bucket             string
	LocationConstraint string
	ACL                string
}

// CreateBucketOutput is the CreateBucket answer: the new bucket's path.
type CreateBucketOutput struct {
	Location string
}

// CreateBucket creates a bucket owned by the caller's account in the region its location
// constraint names (us-east-1 when none). Authorized by identity policies (s3:CreateBucket).
// Errors: InvalidBucketName, BucketAlreadyExists, BucketAlreadyOwnedByYou,
// IllegalLocationConstraintException, InvalidLocationConstraint, AccessDenied.
func (s *Service) CreateBucket(ctx context.Context, in *CreateBucketInput) (*CreateBucketOutput, error) {
	if err := checkBucketName(in.Bucket); err != nil {
		return nil, err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if c.P.Type == identity.Anonymous || c.P.Type == identity.AWSService {
		return nil, awserr.New(awserr.AccessDenied, "Anonymous users and services cannot create buckets.")
	}
	region, err := bucketRegion(in.LocationConstraint, c.Region)
	if err != nil {
		return nil, err
	}
	req := authz.Request{Principal: c.P, Action: "s3:CreateBucket", Resource: "arn:aws:s3:::" + in.Bucket, ResourceAccount: c.P.Account}
	if err := authz.Require(ctx, s.az, req, awserr.AccessDenied); err != nil {
		return nil, err
	}
	err = s.db.Update(ctx, func(tx store.Tx) error {
		old, err := getBucket(tx, in.Bucket)
		switch {
		case err != nil:
			return err
		case old != nil && old.Owner != c.P.Account:
			return awserr.New(awserr.BucketAlreadyExists, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
		case old != nil && old.Region == "us-east-1" && region == "us-east-1":
			return nil // us-east-1 answers 200 for a bucket its owner already has
		case old != nil:
			return awserr.New(awserr.BucketAlreadyOwnedByYou, "Your previous request to create the named bucket succeeded and you already own it.")
		}
		return putBucket(tx, &bucketRecord{Name: in.Bucket, Owner: c.P.Account, Region: region, Created: s.now().UTC().Truncate(time.Second)})
	})
	if err != nil {
		return nil, err
	}
	return &CreateBucketOutput{Location: "/" + in.Bucket}, nil
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)

// bucketRegion is the region a CreateBucket puts the bucket in: its location constraint, which
// must match the endpoint's region unless that is us-east-1 (the global endpoint).
func bucketRegion(constraint, requestRegion string) (string, error) {
	switch {
	case constraint == "EU":
		constraint = "eu-west-1"
	case constraint == "us-east-1":
		return "", awserr.New(awserr.InvalidLocationConstraint, "The specified location-constraint is not valid")
	case constraint != "" && !regionPattern.MatchString(constraint):
		return "", awserr.New(awserr.InvalidLocationConstraint, "The specified location-constraint is not valid")
	}
	switch {
	case constraint == "" && requestRegion != "us-east-1":
		return "", awserr.New(awserr.IllegalLocationConstraintException, "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	case constraint == "":
		return "us-east-1", nil
	case requestRegion != "us-east-1" && constraint != requestRegion:
		return "", awserr.New(awserr.IllegalLocationConstraintException, "The %s location constraint is incompatible for the region specific endpoint this request was sent to.", constraint)
	}
	return constraint, nil
}

// BucketInput names the bucket of an operation that takes nothing else.
type BucketInput struct {
	Bucket string
}

// HeadBucketInput is the HeadBucket request.
type HeadBucketInput BucketInput

// HeadBucketOutput is the HeadBucket answer: the bucket's region.
type HeadBucketOutput struct {
	Region string
}

// HeadBucket checks that a bucket exists and the caller may list it; it returns the bucket's
// region. Errors: NoSuchBucket, AccessDenied.
func (s *Service) HeadBucket(ctx context.Context, in *HeadBucketInput) (*HeadBucketOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.bucket(c, "ListBucket", in.Bucket, "", nil)
	if err != nil {
		return nil, err
	}
	return &HeadBucketOutput{Region: b.Region}, nil
}

// GetBucketLocationInput is the GetBucketLocation request.
type GetBucketLocationInput BucketInput

// GetBucketLocationOutput is the GetBucketLocation answer: the bucket's region, "" for
// us-east-1, as S3 answers.
type GetBucketLocationOutput struct {
	LocationConstraint string
}

// GetBucketLocation returns a bucket's region ("" for us-east-1, as S3 answers).
// Errors: NoSuchBucket, AccessDenied.
func (s *Service) GetBucketLocation(ctx context.Context, in *GetBucketLocationInput) (*GetBucketLocationOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.bucket(c, "GetBucketLocation", in.Bucket, "", nil)
	if err != nil {
		return nil, err
	}
	if b.Region == "us-east-1" {
		return &GetBucketLocationOutput{}, nil
	}
	return &GetBucketLocationOutput{LocationConstraint: b.Region}, nil
}

// DeleteBucketInput is the DeleteBucket request.
type DeleteBucketInput BucketInput

// DeleteBucketOutput is the (empty) DeleteBucket answer.
type DeleteBucketOutput struct{}

// DeleteBucket deletes an empty bucket. Errors: NoSuchBucket, BucketNotEmpty, AccessDenied.
func (s *Service) DeleteBucket(ctx context.Context, in *DeleteBucketInput) (*DeleteBucketOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "DeleteBucket", in.Bucket, "", nil); err != nil {
		return nil, err
	}
	err = s.db.Update(ctx, func(tx store.Tx) error {
		empty := true
		err := tx.Scan(objects.Name, in.Bucket+"/", "", func(string, []byte) error {
			empty = false
			return store.ErrStop
		})
		if err != nil {
			return err
		}
		if !empty {
			return awserr.New(awserr.BucketNotEmpty, "The bucket you tried to delete is not empty")
		}
		return buckets.Delete(tx, in.Bucket)
	})
	if err != nil {
		return nil, err
	}
	return &DeleteBucketOutput{}, nil
}

// BucketEntry is one bucket of ListBuckets.
type BucketEntry struct {
	Name         string
	CreationDate time.Time
	Region       string
}

// ListBucketsInput is the ListBuckets request.
type ListBucketsInput struct{}

// ListBucketsOutput is the ListBuckets answer: the caller's account (the owner) and its buckets.
type ListBucketsOutput struct {
	Owner   string
	Buckets []BucketEntry
}

// ListBuckets lists the caller's buckets by name. Authorized by identity policies
// (s3:ListAllMyBuckets). Errors: AccessDenied.
func (s *Service) ListBuckets(ctx context.Context, _ *ListBucketsInput) (*ListBucketsOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if c.P.Type == identity.Anonymous {
		return nil, awserr.New(awserr.AccessDenied, "Access Denied")
	}
	req := authz.Request{Principal: c.P, Action: "s3:ListAllMyBuckets", Resource: "*", ResourceAccount: c.P.Account}
	if err := authz.Require(ctx, s.az, req, awserr.AccessDenied); err != nil {
		return nil, err
	}
	out := &ListBucketsOutput{Owner: c.P.Account}
	err = s.db.View(ctx, func(tx store.Tx) error {
		return buckets.Scan(tx, "", "", func(_ string, b *bucketRecord) error {
			if b.Owner == c.P.Account {
				out.Buckets = append(out.Buckets, BucketEntry{Name: b.Name, CreationDate: b.Created, Region: b.Region})
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetBucketPolicyInput is the GetBucketPolicy request.
type GetBucketPolicyInput BucketInput

// GetBucketPolicyOutput is the GetBucketPolicy answer: the policy, exactly as given.
type GetBucketPolicyOutput struct {
	Policy string
}

// GetBucketPolicy returns a bucket's policy, exactly as given. Errors: NoSuchBucket,
// NoSuchBucketPolicy, AccessDenied.
func (s *Service) GetBucketPolicy(ctx context.Context, in *GetBucketPolicyInput) (*GetBucketPolicyOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.bucket(c, "GetBucketPolicy", in.Bucket, "", nil)
	if err != nil {
		return nil, err
	}
	if b.Policy == "" {
		return nil, awserr.New(awserr.NoSuchBucketPolicy, "The bucket policy does not exist")
	}
	return &GetBucketPolicyOutput{Policy: b.Policy}, nil
}

// PutBucketPolicyInput is the PutBucketPolicy request.
type PutBucketPolicyInput struct {
	Bucket, Policy string
}

// PutBucketPolicyOutput is the (empty) PutBucketPolicy answer.
type PutBucketPolicyOutput struct{}

// PutBucketPolicy replaces a bucket's policy, validated by the policy engine as a bucket policy
// whose resources are this bucket and its objects, within 20 KB. Errors: NoSuchBucket,
// MalformedPolicy, AccessDenied.
func (s *Service) PutBucketPolicy(ctx context.Context, in *PutBucketPolicyInput) (*PutBucketPolicyOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "PutBucketPolicy", in.Bucket, "", nil); err != nil {
		return nil, err
	}
	if err := checkBucketPolicy(in.Bucket, in.Policy); err != nil {
		return nil, err
	}
	if err := s.changeBucket(ctx, in.Bucket, func(b *bucketRecord) { b.Policy = in.Policy }); err != nil {
		return nil, err
	}
	return &PutBucketPolicyOutput{}, nil
}

// checkBucketPolicy validates a bucket policy document.
func checkBucketPolicy(bucket, doc string) error {
	if err := policy.CheckSize(doc, policy.Bucket, policy.MaxBucketPolicySize); err != nil {
		return awserr.New(awserr.MalformedPolicy, "Policies must be less than 20 KB")
	}
	p, err := policy.Parse(doc, policy.Bucket)
	if err != nil {
		return awserr.New(awserr.MalformedPolicy, "%s", err.Error())
	}
	if err := policy.CheckS3Actions(p); err != nil {
		return awserr.New(awserr.MalformedPolicy, "Policy has invalid action")
	}
	for _, st := range p.Statements {
		for _, r := range st.Resource {
			if r == "*" || r == "arn:aws:s3:::"+bucket || strings.HasPrefix(r, "arn:aws:s3:::"+bucket+"/") {
				continue
			}
			return awserr.New(awserr.MalformedPolicy, "%s, Resource: Policy has invalid resource %q: a bucket policy's resources are arn:aws:s3:::%s and its objects", st.Label(), r, bucket)
		}
	}
	return nil
}

// DeleteBucketPolicyInput is the DeleteBucketPolicy request.
type DeleteBucketPolicyInput BucketInput

// DeleteBucketPolicyOutput is the (empty) DeleteBucketPolicy answer.
type DeleteBucketPolicyOutput struct{}

// DeleteBucketPolicy removes a bucket's policy. Errors: NoSuchBucket, AccessDenied.
func (s *Service) DeleteBucketPolicy(ctx context.Context, in *DeleteBucketPolicyInput) (*DeleteBucketPolicyOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "DeleteBucketPolicy", in.Bucket, "", nil); err != nil {
		return nil, err
	}
	if err := s.changeBucket(ctx, in.Bucket, func(b *bucketRecord) { b.Policy = "" }); err != nil {
		return nil, err
	}
	return &DeleteBucketPolicyOutput{}, nil
}

// changeBucket updates a stored bucket.
func (s *Service) changeBucket(ctx context.Context, name string, change func(*bucketRecord)) error {
	return s.db.Update(ctx, func(tx store.Tx) error {
		b, err := getBucket(tx, name)
		if err != nil {
			return err
		}
		if b == nil {
			return noSuchBucket(name)
		}
		change(b)
		return putBucket(tx, b)
	})
}

// GetBucketACL returns the bucket's owner; the ACL grants the owner full control (keytrail
// buckets have no other grants). Errors: NoSuchBucket, AccessDenied.
func (s *Service) GetBucketACL(ctx context.Context, name string) (string, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return "", err
	}
	b, err := s.bucket(c, "GetBucketAcl", name, "", nil)
	if err != nil {
		return "", err
	}
	return b.Owner, nil
}
