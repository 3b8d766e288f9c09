package s3

import (
	"context"
	"encoding/json"
	"errors"
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
	V       int       `json:"v"`
	Name    string    `json:"name"`
	Owner   string    `json:"owner"` // account ID
	Region  string    `json:"region"`
	Created time.Time `json:"created"`
	Policy  string    `json:"policy,omitempty"` // exactly as given

	Encryption *bucketEncryption `json:"encryption,omitempty"` // nil: SSE-S3
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
func getBucket(tx store.Tx, name string) (*bucketRecord, error) {
	v, err := tx.Get(tableBuckets, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var b bucketRecord
	if err := json.Unmarshal(v, &b); err != nil {
		return nil, fmt.Errorf("s3: decode bucket %s: %w", name, err)
	}
	return &b, nil
}

func putBucket(tx store.Tx, b *bucketRecord) error {
	b.V = 1
	v, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return tx.Put(tableBuckets, b.Name, v)
}

// bucket loads a bucket and authorizes action on it (resource: the bucket ARN, or an object
// ARN under it when key is not empty) against its policy and the caller's identity policies.
func (s *Service) bucket(c *call, action, name, key string, keys authz.Map) (*bucketRecord, error) {
	if err := checkBucketName(name); err != nil {
		return nil, noSuchBucket(name)
	}
	var b *bucketRecord
	err := s.db.View(c.ctx, func(tx store.Tx) (err error) {
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
	req := authz.Request{Principal: c.p, Action: "s3:" + action, Resource: resource, ResourceAccount: b.Owner, ResourcePolicy: rp, Context: keys,
		Recorded: []request.Resource{{Type: "AWS::S3::Bucket", ARN: BucketARN(b.Name), Account: b.Owner}}}
	if resource != BucketARN(b.Name) {
		req.Recorded = []request.Resource{{Type: "AWS::S3::Object", ARN: resource}, req.Recorded[0]}
	}
	d, err := s.az.Authorize(c.ctx, req)
	if err != nil {
		return err
	}
	// The bucket owner's root may always manage the bucket policy, so that a policy cannot lock
	// the owner out (as in S3).
	rootOfOwner := c.p.Type == identity.Root && c.p.Account == b.Owner
	if !d.Allowed && !(rootOfOwner && strings.HasSuffix(action, "BucketPolicy")) {
		return awserr.New(awserr.AccessDenied, "%s", authz.DeniedMessage(req, d))
	}
	return nil
}

// CreateBucketInput is the CreateBucket request.
type CreateBucketInput struct {
	Bucket             string
	LocationConstraint string
	ACL                string
}

// CreateBucket creates a bucket owned by the caller's account in the region its location
// constraint names (us-east-1 when none). Authorized by identity policies (s3:CreateBucket).
// Errors: InvalidBucketName, BucketAlreadyExists, BucketAlreadyOwnedByYou,
// IllegalLocationConstraintException, InvalidLocationConstraint, AccessDenied.
func (s *Service) CreateBucket(ctx context.Context, in *CreateBucketInput) (string, error) {
	if err := checkBucketName(in.Bucket); err != nil {
		return "", err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return "", err
	}
	if c.p.Type == identity.Anonymous || c.p.Type == identity.AWSService {
		return "", awserr.New(awserr.AccessDenied, "Anonymous users and services cannot create buckets.")
	}
	region, err := bucketRegion(in.LocationConstraint, c.region)
	if err != nil {
		return "", err
	}
	req := authz.Request{Principal: c.p, Action: "s3:CreateBucket", Resource: "arn:aws:s3:::" + in.Bucket, ResourceAccount: c.p.Account}
	d, err := s.az.Authorize(ctx, req)
	if err != nil {
		return "", err
	}
	if !d.Allowed {
		return "", awserr.New(awserr.AccessDenied, "%s", authz.DeniedMessage(req, d))
	}
	err = s.db.Update(ctx, func(tx store.Tx) error {
		old, err := getBucket(tx, in.Bucket)
		switch {
		case err != nil:
			return err
		case old != nil && old.Owner != c.p.Account:
			return awserr.New(awserr.BucketAlreadyExists, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
		case old != nil && old.Region == "us-east-1" && region == "us-east-1":
			return nil // us-east-1 answers 200 for a bucket its owner already has
		case old != nil:
			return awserr.New(awserr.BucketAlreadyOwnedByYou, "Your previous request to create the named bucket succeeded and you already own it.")
		}
		return putBucket(tx, &bucketRecord{Name: in.Bucket, Owner: c.p.Account, Region: region, Created: s.now().UTC().Truncate(time.Second)})
	})
	if err != nil {
		return "", err
	}
	return "/" + in.Bucket, nil
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

// HeadBucket checks that a bucket exists and the caller may list it; it returns the bucket's
// region. Errors: NoSuchBucket, AccessDenied.
func (s *Service) HeadBucket(ctx context.Context, name string) (string, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return "", err
	}
	b, err := s.bucket(c, "ListBucket", name, "", nil)
	if err != nil {
		return "", err
	}
	return b.Region, nil
}

// GetBucketLocation returns a bucket's region ("" for us-east-1, as S3 answers).
// Errors: NoSuchBucket, AccessDenied.
func (s *Service) GetBucketLocation(ctx context.Context, name string) (string, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return "", err
	}
	b, err := s.bucket(c, "GetBucketLocation", name, "", nil)
	if err != nil {
		return "", err
	}
	if b.Region == "us-east-1" {
		return "", nil
	}
	return b.Region, nil
}

// DeleteBucket deletes an empty bucket. Errors: NoSuchBucket, BucketNotEmpty, AccessDenied.
func (s *Service) DeleteBucket(ctx context.Context, name string) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if _, err := s.bucket(c, "DeleteBucket", name, "", nil); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx store.Tx) error {
		empty := true
		err := tx.Scan(tableObjects, name+"/", "", func(string, []byte) error {
			empty = false
			return store.ErrStop
		})
		if err != nil {
			return err
		}
		if !empty {
			return awserr.New(awserr.BucketNotEmpty, "The bucket you tried to delete is not empty")
		}
		return tx.Delete(tableBuckets, name)
	})
}

// BucketEntry is one bucket of ListBuckets.
type BucketEntry struct {
	Name         string
	CreationDate time.Time
	Region       string
}

// ListBuckets lists the caller's buckets by name. Authorized by identity policies
// (s3:ListAllMyBuckets). Errors: AccessDenied.
func (s *Service) ListBuckets(ctx context.Context) ([]BucketEntry, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if c.p.Type == identity.Anonymous {
		return nil, awserr.New(awserr.AccessDenied, "Access Denied")
	}
	req := authz.Request{Principal: c.p, Action: "s3:ListAllMyBuckets", Resource: "*", ResourceAccount: c.p.Account}
	d, err := s.az.Authorize(ctx, req)
	if err != nil {
		return nil, err
	}
	if !d.Allowed {
		return nil, awserr.New(awserr.AccessDenied, "%s", authz.DeniedMessage(req, d))
	}
	var out []BucketEntry
	err = s.db.View(ctx, func(tx store.Tx) error {
		return tx.Scan(tableBuckets, "", "", func(_ string, v []byte) error {
			var b bucketRecord
			if err := json.Unmarshal(v, &b); err != nil {
				return err
			}
			if b.Owner == c.p.Account {
				out = append(out, BucketEntry{Name: b.Name, CreationDate: b.Created, Region: b.Region})
			}
			return nil
		})
	})
	return out, err
}

// GetBucketPolicy returns a bucket's policy, exactly as given. Errors: NoSuchBucket,
// NoSuchBucketPolicy, AccessDenied.
func (s *Service) GetBucketPolicy(ctx context.Context, name string) (string, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return "", err
	}
	b, err := s.bucket(c, "GetBucketPolicy", name, "", nil)
	if err != nil {
		return "", err
	}
	if b.Policy == "" {
		return "", awserr.New(awserr.NoSuchBucketPolicy, "The bucket policy does not exist")
	}
	return b.Policy, nil
}

// PutBucketPolicy replaces a bucket's policy, validated by the policy engine as a bucket policy
// whose resources are this bucket and its objects, within 20 KB. Errors: NoSuchBucket,
// MalformedPolicy, AccessDenied.
func (s *Service) PutBucketPolicy(ctx context.Context, name, doc string) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if _, err := s.bucket(c, "PutBucketPolicy", name, "", nil); err != nil {
		return err
	}
	if err := checkBucketPolicy(name, doc); err != nil {
		return err
	}
	return s.changeBucket(ctx, name, func(b *bucketRecord) { b.Policy = doc })
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

// DeleteBucketPolicy removes a bucket's policy. Errors: NoSuchBucket, AccessDenied.
func (s *Service) DeleteBucketPolicy(ctx context.Context, name string) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if _, err := s.bucket(c, "DeleteBucketPolicy", name, "", nil); err != nil {
		return err
	}
	return s.changeBucket(ctx, name, func(b *bucketRecord) { b.Policy = "" })
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
