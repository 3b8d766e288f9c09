package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/protocol/awsquery"
	"github.com/keytrail/keytrail/internal/request"
)

// classified is what events/classify.go said of an operation before the operation tables
// declared it: readOnly by the name's verb (Get, List, Describe, Head, Lookup) or for KMS's
// cryptographic operations; a data event for S3's object-level operations; global for IAM.
func classified(service, op string) request.Meta {
	var m request.Meta
	for _, p := range []string{"Get", "List", "Describe", "Head", "Lookup"} {
		if strings.HasPrefix(op, p) {
			m.ReadOnly = true
		}
	}
	if service == "kms" && slices.Contains(strings.Fields(`Encrypt Decrypt ReEncrypt GenerateDataKey GenerateDataKeyWithoutPlaintext
		GenerateDataKeyPair GenerateDataKeyPairWithoutPlaintext GenerateRandom Sign Verify GenerateMac VerifyMac`), op) {
		m.ReadOnly = true
	}
	if service == "s3" && slices.Contains(strings.Fields(`GetObject PutObject HeadObject DeleteObject DeleteObjects CopyObject
		CreateMultipartUpload UploadPart UploadPartCopy CompleteMultipartUpload AbortMultipartUpload ListParts
		GetObjectTagging PutObjectTagging DeleteObjectTagging GetObjectAcl PutObjectAcl GetObjectAttributes
		ListObjects ListObjectsV2 ListObjectVersions ListMultipartUploads`), op) {
		m.Data = true
	}
	m.Global = service == "iam"
	return m
}

// Every operation's table declares of it what classify.go said: the records keep their readOnly,
// managementEvent and region.
func TestOperationMetaAsClassified(t *testing.T) {
	e := start(t, t.TempDir())
	a := e.app
	got := map[string]request.Meta{}
	for _, js := range []*awsjson.Service{a.KMS.API(), a.CloudTrail.API()} {
		for op, h := range js.Operations {
			got[js.Name+"."+op] = h.Meta
		}
	}
	for _, qs := range []*awsquery.Service{a.IAM.API(), a.STS.API()} {
		for op, h := range qs.Operations {
			m := h.Meta
			m.Global = qs.Global
			got[qs.Name+"."+op] = m
		}
	}
	for _, op := range a.S3.API().Operations {
		got["s3."+op.Name] = op.Meta
		// A write with a copy source is recorded as the copy, with the write's metadata.
		if copied := map[string]string{"PutObject": "CopyObject", "UploadPart": "UploadPartCopy"}[op.Name]; copied != "" {
			got["s3."+copied] = op.Meta
		}
	}
	if len(got) < 120 {
		t.Fatalf("only %d operations in the tables", len(got))
	}
	for name, meta := range got {
		service, op, _ := strings.Cut(name, ".")
		if want := classified(service, op); meta != want {
			t.Errorf("%s: the table declares %+v, classify said %+v", name, meta, want)
		}
	}
}
