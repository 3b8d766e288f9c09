package s3

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/protocol/restxml"
	"github.com/keytrail/keytrail/internal/request"
)

// namespace is S3's XML namespace.
const namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// API returns S3's operation table: method, resource level and sub-resource → operation.
func (s *Service) API() *restxml.Service {
	b, svc := restxml.BucketLevel, restxml.ServiceLevel
	// What each operation's CloudTrail record says of it: readOnly, and whether it is a data
	// event (object-level) rather than a management event.
	read, data, dataRead := request.Meta{ReadOnly: true}, request.Meta{Data: true}, request.Meta{ReadOnly: true, Data: true}
	ops := map[restxml.Route]restxml.Operation{
		{Method: "GET", Level: svc}:                                             {Name: "ListBuckets", Handler: s.handleListBuckets, Meta: read},
		{Method: "PUT", Level: b}:                                               {Name: "CreateBucket", Handler: s.handleCreateBucket},
		{Method: "HEAD", Level: b}:                                              {Name: "HeadBucket", Handler: s.handleHeadBucket, Meta: read},
		{Method: "DELETE", Level: b}:                                            {Name: "DeleteBucket", Handler: s.handleDeleteBucket},
		{Method: "GET", Level: b, Subresource: "location"}:                      {Name: "GetBucketLocation", Handler: s.handleGetBucketLocation, Meta: read},
		{Method: "GET", Level: b, Subresource: "policy"}:                        {Name: "GetBucketPolicy", Handler: s.handleGetBucketPolicy, Meta: read},
		{Method: "PUT", Level: b, Subresource: "policy"}:                        {Name: "PutBucketPolicy", Handler: s.handlePutBucketPolicy},
		{Method: "DELETE", Level: b, Subresource: "policy"}:                     {Name: "DeleteBucketPolicy", Handler: s.handleDeleteBucketPolicy},
		{Method: "GET", Level: b, Subresource: "acl"}:                           {Name: "GetBucketAcl", Handler: s.handleGetBucketACL, Meta: read},
		{Method: "POST", Level: b, Subresource: "delete"}:                       {Name: "DeleteObjects", Handler: s.handleDeleteObjects, Meta: data},
		{Method: "GET", Level: b, Subresource: "encryption"}:                    {Name: "GetBucketEncryption", Handler: s.handleGetBucketEncryption, Meta: read},
		{Method: "PUT", Level: b, Subresource: "encryption"}:                    {Name: "PutBucketEncryption", Handler: s.handlePutBucketEncryption},
		{Method: "DELETE", Level: b, Subresource: "encryption"}:                 {Name: "DeleteBucketEncryption", Handler: s.handleDeleteBucketEncryption},
		{Method: "GET", Level: b, Subresource: "versioning"}:                    {Name: "GetBucketVersioning", Handler: s.handleGetBucketVersioning, Meta: read},
		{Method: "GET", Level: b, Subresource: "tagging"}:                       {Name: "GetBucketTagging", Handler: s.handleGetBucketTagging, Meta: read},
		{Method: "PUT", Level: b, Subresource: "tagging"}:                       {Name: "PutBucketTagging", Handler: s.handlePutBucketTagging},
		{Method: "DELETE", Level: b, Subresource: "tagging"}:                    {Name: "DeleteBucketTagging", Handler: s.handleDeleteBucketTagging},
		{Method: "GET", Level: b}:                                               {Name: "ListObjects", Handler: s.handleListObjects, Meta: dataRead},
		{Method: "GET", Level: b, Subresource: "list-type"}:                     {Name: "ListObjectsV2", Handler: s.handleListObjects, Meta: dataRead},
		{Method: "GET", Level: b, Subresource: "versions"}:                      {Name: "ListObjectVersions", Handler: s.handleListObjectVersions, Meta: dataRead},
		{Method: "PUT", Level: restxml.ObjectLevel}:                             {Name: "PutObject", Handler: s.handlePutObject, Meta: data},
		{Method: "GET", Level: restxml.ObjectLevel}:                             {Name: "GetObject", Handler: s.handleGetObject, Meta: dataRead},
		{Method: "HEAD", Level: restxml.ObjectLevel}:                            {Name: "HeadObject", Handler: s.handleGetObject, Meta: dataRead},
		{Method: "DELETE", Level: restxml.ObjectLevel}:                          {Name: "DeleteObject", Handler: s.handleDeleteObject, Meta: data},
		{Method: "POST", Level: restxml.ObjectLevel, Subresource: "uploads"}:    {Name: "CreateMultipartUpload", Handler: s.handleCreateMultipartUpload, Meta: data},
		{Method: "PUT", Level: restxml.ObjectLevel, Subresource: "uploadId"}:    {Name: "UploadPart", Handler: s.handleUploadPart, Meta: data},
		{Method: "POST", Level: restxml.ObjectLevel, Subresource: "uploadId"}:   {Name: "CompleteMultipartUpload", Handler: s.handleCompleteMultipartUpload, Meta: data},
		{Method: "DELETE", Level: restxml.ObjectLevel, Subresource: "uploadId"}: {Name: "AbortMultipartUpload", Handler: s.handleAbortMultipartUpload, Meta: data},
		{Method: "GET", Level: restxml.ObjectLevel, Subresource: "uploadId"}:    {Name: "ListParts", Handler: s.handleListParts, Meta: dataRead},
		{Method: "GET", Level: restxml.ObjectLevel, Subresource: "tagging"}:     {Name: "GetObjectTagging", Handler: s.handleGetObjectTagging, Meta: dataRead},
		{Method: "PUT", Level: restxml.ObjectLevel, Subresource: "tagging"}:     {Name: "PutObjectTagging", Handler: s.handlePutObjectTagging, Meta: data},
		{Method: "DELETE", Level: restxml.ObjectLevel, Subresource: "tagging"}:  {Name: "DeleteObjectTagging", Handler: s.handleDeleteObjectTagging, Meta: data},
		{Method: "GET", Level: b, Subresource: "uploads"}:                       {Name: "ListMultipartUploads", Handler: s.handleListMultipartUploads, Meta: dataRead},
	}
	for route, op := range ops {
		op.Handler = guard(op.Name, op.Handler)
		ops[route] = op
	}
	control := s.controlAPI()
	for route, op := range control {
		op.Handler = guardControl(op.Name, op.Handler)
		control[route] = op
	}
	return &restxml.Service{BucketRegion: s.BucketRegion, Operations: ops, Control: control}
}

// maxConfigBody bounds the XML and JSON configuration bodies S3 reads whole.
const maxConfigBody = 64 << 10

// readConfig reads a configuration body of at most max bytes.
func readConfig(body io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, malformedXML()
	}
	return b, nil
}

func writeXML(w http.ResponseWriter, status int, v any) error {
	out, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// respond answers an operation whose response has no body: status once err (the operation's
// result) is nil, err otherwise.
func respond(w http.ResponseWriter, status int, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(status)
	return nil
}

func s3Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

func (s *Service) handleCreateBucket(ctx context.Context, w http.ResponseWriter, r *http.Request, t restxml.Target, body io.Reader) error {
	raw, err := readConfig(body, maxConfigBody)
	if err != nil {
		return err
	}
	in := &CreateBucketInput{Bucket: t.Bucket, ACL: r.Header.Get("X-Amz-Acl")}
	if len(raw) > 0 {
		var cfg createBucketConfiguration
		if err := decodeXML(raw, &cfg); err != nil {
			return err
		}
		in.LocationConstraint = cfg.LocationConstraint
	}
	out, err := s.CreateBucket(ctx, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", out.Location)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) handleHeadBucket(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	out, err := s.HeadBucket(ctx, &HeadBucketInput{Bucket: t.Bucket})
	if err != nil {
		return err
	}
	w.Header().Set("X-Amz-Bucket-Region", out.Region)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) handleDeleteBucket(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	_, err := s.DeleteBucket(ctx, &DeleteBucketInput{Bucket: t.Bucket})
	return respond(w, http.StatusNoContent, err)
}

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

func ownerOf(account string) owner { return owner{ID: CanonicalUserID(account), DisplayName: account} }

type listBucketsResult struct {
	XMLName xml.Name `xml:"ListAllMyBucketsResult"`
	Xmlns   string   `xml:"xmlns,attr"`
	Owner   owner    `xml:"Owner"`
	Buckets []struct {
		Name         string `xml:"Name"`
		CreationDate string `xml:"CreationDate"`
		BucketRegion string `xml:"BucketRegion"`
	} `xml:"Buckets>Bucket"`
}

func (s *Service) handleListBuckets(ctx context.Context, w http.ResponseWriter, _ *http.Request, _ restxml.Target, _ io.Reader) error {
	list, err := s.ListBuckets(ctx, &ListBucketsInput{})
	if err != nil {
		return err
	}
	out := listBucketsResult{Xmlns: namespace, Owner: ownerOf(list.Owner)}
	out.Buckets = make([]struct {
		Name         string `xml:"Name"`
		CreationDate string `xml:"CreationDate"`
		BucketRegion string `xml:"BucketRegion"`
	}, len(list.Buckets))
	for i, b := range list.Buckets {
		out.Buckets[i].Name, out.Buckets[i].CreationDate, out.Buckets[i].BucketRegion = b.Name, s3Time(b.CreationDate), b.Region
	}
	return writeXML(w, http.StatusOK, out)
}

type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

func (s *Service) handleGetBucketLocation(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	out, err := s.GetBucketLocation(ctx, &GetBucketLocationInput{Bucket: t.Bucket})
	if err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, locationConstraint{Xmlns: namespace, Region: out.LocationConstraint})
}

func (s *Service) handleGetBucketPolicy(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	out, err := s.GetBucketPolicy(ctx, &GetBucketPolicyInput{Bucket: t.Bucket})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = io.WriteString(w, out.Policy)
	return err
}

func (s *Service) handlePutBucketPolicy(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, body io.Reader) error {
	raw, err := readConfig(body, maxConfigBody)
	if awserr.HasCode(err, awserr.MalformedXML) {
		return awserr.New(awserr.MalformedPolicy, "Policies must be less than 20 KB")
	}
	if err != nil {
		return err
	}
	_, err = s.PutBucketPolicy(ctx, &PutBucketPolicyInput{Bucket: t.Bucket, Policy: string(raw)})
	return respond(w, http.StatusNoContent, err)
}

func (s *Service) handleDeleteBucketPolicy(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	_, err := s.DeleteBucketPolicy(ctx, &DeleteBucketPolicyInput{Bucket: t.Bucket})
	return respond(w, http.StatusNoContent, err)
}

type grantee struct {
	Xmlns string `xml:"xmlns:xsi,attr"`
	Type  string `xml:"xsi:type,attr"`
	owner
}

type accessControlPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Xmlns   string   `xml:"xmlns,attr"`
	Owner   owner    `xml:"Owner"`
	Grants  []struct {
		Grantee    grantee `xml:"Grantee"`
		Permission string  `xml:"Permission"`
	} `xml:"AccessControlList>Grant"`
}

func (s *Service) handleGetBucketACL(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	account, err := s.GetBucketACL(ctx, t.Bucket)
	if err != nil {
		return err
	}
	out := accessControlPolicy{Xmlns: namespace, Owner: ownerOf(account)}
	out.Grants = append(out.Grants, struct {
		Grantee    grantee `xml:"Grantee"`
		Permission string  `xml:"Permission"`
	}{grantee{Xmlns: "http://www.w3.org/2001/XMLSchema-instance", Type: "CanonicalUser", owner: ownerOf(account)}, "FULL_CONTROL"})
	return writeXML(w, http.StatusOK, out)
}
