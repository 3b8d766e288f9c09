package s3

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"slices"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/protocol/restxml"
)

// bucketEncryption is a bucket's default encryption: SSE-S3 unless configured.
type bucketEncryption struct {
	SSE       string `json:"sse"`              // AES256 or aws:kms
	KMSKey    string `json:"kmsKey,omitempty"` // as configured: key ID, ARN or alias
	BucketKey bool   `json:"bucketKey,omitempty"`
}

func (b *bucketRecord) encryption() bucketEncryption {
	if b.Encryption == nil {
		return bucketEncryption{SSE: "AES256"}
	}
	return *b.Encryption
}

type sseConfiguration struct {
	XMLName xml.Name `xml:"ServerSideEncryptionConfiguration"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Rules   []struct {
		Default struct {
			SSEAlgorithm   string `xml:"SSEAlgorithm"`
			KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
		} `xml:"ApplyServerSideEncryptionByDefault"`
		BucketKeyEnabled bool `xml:"BucketKeyEnabled"`
	} `xml:"Rule"`
}

// GetBucketEncryption returns a bucket's default encryption. Errors: NoSuchBucket, AccessDenied.
func (s *Service) GetBucketEncryption(ctx context.Context, name string) (bucketEncryption, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return bucketEncryption{}, err
	}
	b, err := s.bucket(c, "GetEncryptionConfiguration", name, "", nil)
	if err != nil {
		return bucketEncryption{}, err
	}
	return b.encryption(), nil
}

// PutBucketEncryption sets a bucket's default encryption (AES256, or aws:kms with an optional key
// and Bucket Key). Errors: NoSuchBucket, MalformedXML, InvalidArgument, AccessDenied.
func (s *Service) PutBucketEncryption(ctx context.Context, name string, enc bucketEncryption) error {
	switch {
	case !serverSideEncryptions[enc.SSE]:
		return awserr.New(awserr.MalformedXML, "The XML you provided was not well-formed or did not validate against our published schema")
	case enc.SSE == "AES256" && enc.KMSKey != "":
		return awserr.New(awserr.InvalidArgument, "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms")
	}
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if _, err := s.bucket(c, "PutEncryptionConfiguration", name, "", nil); err != nil {
		return err
	}
	return s.changeBucket(ctx, name, func(b *bucketRecord) { b.Encryption = &enc })
}

// DeleteBucketEncryption restores the default, SSE-S3. Errors: NoSuchBucket, AccessDenied.
func (s *Service) DeleteBucketEncryption(ctx context.Context, name string) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if _, err := s.bucket(c, "PutEncryptionConfiguration", name, "", nil); err != nil {
		return err
	}
	return s.changeBucket(ctx, name, func(b *bucketRecord) { b.Encryption = nil })
}

func (s *Service) handleGetBucketEncryption(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	enc, err := s.GetBucketEncryption(ctx, t.Bucket)
	if err != nil {
		return err
	}
	out := sseConfiguration{Xmlns: namespace}
	out.Rules = make([]struct {
		Default struct {
			SSEAlgorithm   string `xml:"SSEAlgorithm"`
			KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
		} `xml:"ApplyServerSideEncryptionByDefault"`
		BucketKeyEnabled bool `xml:"BucketKeyEnabled"`
	}, 1)
	out.Rules[0].Default.SSEAlgorithm, out.Rules[0].Default.KMSMasterKeyID, out.Rules[0].BucketKeyEnabled = enc.SSE, enc.KMSKey, enc.BucketKey
	return writeXML(w, http.StatusOK, out)
}

func (s *Service) handlePutBucketEncryption(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, body io.Reader) error {
	var cfg sseConfiguration
	if err := readXML(body, maxConfigBody, &cfg); err != nil {
		return err
	}
	if len(cfg.Rules) != 1 {
		return malformedXML()
	}
	rule := cfg.Rules[0]
	return respond(w, http.StatusOK, s.PutBucketEncryption(ctx, t.Bucket, bucketEncryption{SSE: rule.Default.SSEAlgorithm, KMSKey: rule.Default.KMSMasterKeyID, BucketKey: rule.BucketKeyEnabled}))
}

func (s *Service) handleDeleteBucketEncryption(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	return respond(w, http.StatusNoContent, s.DeleteBucketEncryption(ctx, t.Bucket))
}

type versioningConfiguration struct {
	XMLName xml.Name `xml:"VersioningConfiguration"`
	Xmlns   string   `xml:"xmlns,attr"`
}

// handleGetBucketVersioning answers for a bucket that has never been versioned: no Status.
func (s *Service) handleGetBucketVersioning(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if _, err := s.bucket(c, "GetBucketVersioning", t.Bucket, "", nil); err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, versioningConfiguration{Xmlns: namespace})
}

// Tag is a bucket tag.
type Tag struct {
	Key   string `xml:"Key" json:"key"`
	Value string `xml:"Value" json:"value"`
}

type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Tags    []Tag    `xml:"TagSet>Tag"`
}

func (s *Service) handleGetBucketTagging(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	b, err := s.bucket(c, "GetBucketTagging", t.Bucket, "", nil)
	if err != nil {
		return err
	}
	if len(b.Tags) == 0 {
		return awserr.New(awserr.NoSuchTagSet, "The TagSet does not exist")
	}
	return writeXML(w, http.StatusOK, tagging{Xmlns: namespace, Tags: b.Tags})
}

func (s *Service) handlePutBucketTagging(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, body io.Reader) error {
	tags, err := readTagging(body)
	if err != nil {
		return err
	}
	if err := checkTags(tags, maxBucketTags, "Bucket"); err != nil {
		return err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if _, err := s.bucket(c, "PutBucketTagging", t.Bucket, "", nil); err != nil {
		return err
	}
	tags = slices.Clone(tags)
	return respond(w, http.StatusNoContent, s.changeBucket(ctx, t.Bucket, func(b *bucketRecord) { b.Tags = tags }))
}
