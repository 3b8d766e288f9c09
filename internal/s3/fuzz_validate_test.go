package s3

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/awserr"
)

// FuzzXMLBodies: every XML request body S3 decodes goes through decodeXML, which never panics and
// either decodes or answers MalformedXML; a document nested deeper than maxXMLDepth never decodes.
func FuzzXMLBodies(f *testing.F) {
	for _, seed := range []string{
		`<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`,
		`<Delete><Object><Key>k</Key></Object></Delete>`,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>`,
		`<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
		`<ServerSideEncryptionConfiguration><Rule/></ServerSideEncryptionConfiguration>`,
		`<!DOCTYPE a [<!ENTITY e "x">]><Tagging>&e;</Tagging>`, `<a><b><c>`, `</a>`, ``,
	} {
		f.Add(seed, 0)
	}
	f.Fuzz(func(t *testing.T, doc string, nest int) {
		if nest = nest % 64; nest > 0 {
			doc = strings.Repeat("<x>", nest) + doc + strings.Repeat("</x>", nest)
		}
		for _, v := range []any{&createBucketConfiguration{}, &sseConfiguration{}, &tagging{}, &completeRequest{}, &deleteRequest{}} {
			err := decodeXML([]byte(doc), v)
			if err != nil && !awserr.HasCode(err, awserr.MalformedXML) {
				t.Fatalf("decodeXML(%q) = %v", doc, err)
			}
			if err == nil && nest > maxXMLDepth {
				t.Fatalf("decodeXML accepted a document %d deep", nest)
			}
		}
	})
}

// FuzzRequestChecks: the query, header and integrity checks every operation runs, and the
// continuation token reader, never panic and refuse only with 4xx AWS errors; a token keytrail
// made reads back to its key.
func FuzzRequestChecks(f *testing.F) {
	for _, seed := range []string{"abc", "-1", "10001", "2147483648", "private", "STANDARD", "AAAAAA==", "1B2M2Y8AsgTpgAmY7PhCfg==", "b2Jq"} {
		f.Add(seed, seed)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		fourxx := func(what string, err error) {
			if err == nil {
				return
			}
			if e, ok := awserr.As(err); !ok || e.HTTPStatus() < 400 || e.HTTPStatus() > 499 {
				t.Fatalf("%s(%q, %q) = %v", what, a, b, err)
			}
		}
		q := url.Values{}
		for name := range intParams {
			q.Set(name, a)
		}
		fourxx("checkQuery", checkQuery(q))
		h := http.Header{"X-Amz-Acl": {a}, "X-Amz-Storage-Class": {a}, "X-Amz-Meta-" + strings.Repeat("m", len(b)%64): {b},
			"Content-Md5": {a}, "X-Amz-Checksum-Crc32": {b}, "X-Amz-Sdk-Checksum-Algorithm": {a}}
		for _, op := range []string{"PutObject", "CreateBucket", "CopyObject", "DeleteObjects"} {
			fourxx("checkHeaders", checkHeaders(op, h))
		}
		_, err := integrityOf(h)
		fourxx("integrityOf", err)
		_, err = readContinuationToken(a, b)
		fourxx("readContinuationToken", err)
		if key, err := readContinuationToken(a, continuationToken(a, b)); err != nil || key != b {
			t.Fatalf("token of %q in %q read back as %q, %v", b, a, key, err)
		}
	})
}
