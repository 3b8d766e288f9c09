package s3

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"

	"github.com/keytrail/keytrail/internal/protocol/restxml"
)

type sseRule struct {
	Default struct {
		SSEAlgorithm   string `xml:"SSEAlgorithm"`
		KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
	} `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled bool `xml:"BucketKeyEnabled"`
}

type sseConfiguration struct {
	XMLName xml.Name  `xml:"ServerSideEncryptionConfiguration"`
	Xmlns   string    `xml:"xmlns,attr,omitempty"`
	Rules   []sseRule `xml:"Rule"`
}

func (s *Service) handleGetBucketEncryption(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	enc, err := s.GetBucketEncryption(ctx, &GetBucketEncryptionInput{Bucket: t.Bucket})
	if err != nil {
		return err
	}
	out := sseConfiguration{Xmlns: namespace, Rules: make([]sseRule, 1)}
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
	_, err := s.PutBucketEncryption(ctx, &PutBucketEncryptionInput{Bucket: t.Bucket,
		BucketEncryption: BucketEncryption{SSE: rule.Default.SSEAlgorithm, KMSKey: rule.Default.KMSMasterKeyID, BucketKey: rule.BucketKeyEnabled}})
	return respond(w, http.StatusOK, err)
}

func (s *Service) handleDeleteBucketEncryption(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	_, err := s.DeleteBucketEncryption(ctx, &DeleteBucketEncryptionInput{Bucket: t.Bucket})
	return respond(w, http.StatusNoContent, err)
}

type versioningConfiguration struct {
	XMLName xml.Name `xml:"VersioningConfiguration"`
	Xmlns   string   `xml:"xmlns,attr"`
	Status  string   `xml:"Status,omitempty"`
}

func (s *Service) handleGetBucketVersioning(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	out, err := s.GetBucketVersioning(ctx, &GetBucketVersioningInput{Bucket: t.Bucket})
	if err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, versioningConfiguration{Xmlns: namespace, Status: out.Status})
}

// xmlTag is a Tag element of a TagSet.
type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Tags    []xmlTag `xml:"TagSet>Tag"`
}

// taggingOf is the Tagging document of tags.
func taggingOf(tags []Tag) tagging {
	out := tagging{Xmlns: namespace}
	for _, t := range tags {
		out.Tags = append(out.Tags, xmlTag(t))
	}
	return out
}

// readTagging reads a Tagging body. Errors: MalformedXML.
func readTagging(body io.Reader) ([]Tag, error) {
	var in tagging
	if err := readXML(body, maxConfigBody, &in); err != nil {
		return nil, err
	}
	var tags []Tag
	for _, t := range in.Tags {
		tags = append(tags, Tag(t))
	}
	return tags, nil
}

func (s *Service) handleGetBucketTagging(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	out, err := s.GetBucketTagging(ctx, &GetBucketTaggingInput{Bucket: t.Bucket})
	if err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, taggingOf(out.Tags))
}

func (s *Service) handlePutBucketTagging(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, body io.Reader) error {
	tags, err := readTagging(body)
	if err != nil {
		return err
	}
	_, err = s.PutBucketTagging(ctx, &PutBucketTaggingInput{Bucket: t.Bucket, Tags: tags})
	return respond(w, http.StatusNoContent, err)
}

func (s *Service) handleGetObjectTagging(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	out, err := s.GetObjectTagging(ctx, &GetObjectTaggingInput{Bucket: t.Bucket, Key: t.Key})
	if err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, taggingOf(out.Tags))
}

func (s *Service) handlePutObjectTagging(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, body io.Reader) error {
	tags, err := readTagging(body)
	if err != nil {
		return err
	}
	_, err = s.PutObjectTagging(ctx, &PutObjectTaggingInput{Bucket: t.Bucket, Key: t.Key, Tags: tags})
	return respond(w, http.StatusOK, err)
}

func (s *Service) handleDeleteObjectTagging(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	_, err := s.DeleteObjectTagging(ctx, &DeleteObjectTaggingInput{Bucket: t.Bucket, Key: t.Key})
	return respond(w, http.StatusNoContent, err)
}

func (s *Service) handleDeleteBucketTagging(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	_, err := s.DeleteBucketTagging(ctx, &GetBucketTaggingInput{Bucket: t.Bucket})
	return respond(w, http.StatusNoContent, err)
}
