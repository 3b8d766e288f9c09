package s3_test

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// wire is one HTTP exchange with S3's operation table, as the gateway makes it once the caller is
// authenticated: method, path-style target, headers and body; the status wanted, and the error
// code or the strings the answer (headers and body) must hold.
type wire struct {
	name         string
	as           identity.Principal
	region       string
	method, path string
	header       http.Header
	body         string
	status       int
	code         string   // the error's <Code>
	has          []string // substrings of the body
	headers      map[string]string
}

// serve sends one request through S3's operation table as the caller.
func (w *world) serve(c *servicetest.Caller, method, path string, header http.Header, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(body))
	for k, v := range header {
		r.Header[http.CanonicalHeaderKey(k)] = v
	}
	rec := httptest.NewRecorder()
	w.S3.API().Serve(c.Context(), rec, r, r.Body, "request-1", slog.New(slog.DiscardHandler))
	return rec
}

// run sends each exchange in order and checks its answer; later exchanges may use what earlier
// ones stored through vars (${name} in paths, headers and bodies).
func (w *world) run(t *testing.T, exchanges []wire, vars map[string]string) {
	t.Helper()
	expand := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "${"+k+"}", v)
		}
		return s
	}
	for _, x := range exchanges {
		c := w.As(x.as)
		if x.region != "" {
			c = c.In(x.region)
		}
		h := http.Header{}
		for k, v := range x.header {
			for _, s := range v {
				h.Add(k, expand(s))
			}
		}
		rec := w.serve(c, x.method, expand(x.path), h, expand(x.body))
		got := rec.Body.String()
		if rec.Code != x.status {
			t.Errorf("%s: status %d, want %d: %s", x.name, rec.Code, x.status, got)
			continue
		}
		if x.code != "" && !strings.Contains(got, "<Code>"+x.code+"</Code>") {
			t.Errorf("%s: %s, want code %s", x.name, got, x.code)
		}
		for _, s := range x.has {
			if !strings.Contains(got, expand(s)) {
				t.Errorf("%s: %s does not hold %q", x.name, got, expand(s))
			}
		}
		for k, v := range x.headers {
			g := rec.Header().Get(k)
			if lower := rec.Header()[strings.ToLower(k)]; g == "" && len(lower) > 0 {
				g = lower[0] // S3 answers metadata names in lower case, as stored
			}
			if g != expand(v) && !(v == "*" && g != "") {
				t.Errorf("%s: header %s = %q, want %q", x.name, k, g, expand(v))
			}
		}
		if m := regexp.MustCompile(`<UploadId>([^<]+)</UploadId>`).FindStringSubmatch(got); m != nil {
			vars["upload"] = m[1]
		}
		if m := regexp.MustCompile(`<NextContinuationToken>([^<]+)</NextContinuationToken>`).FindStringSubmatch(got); m != nil {
			vars["token"] = m[1]
		}
		if e := rec.Header().Get("ETag"); e != "" {
			vars["etag"] = e
		}
	}
}

func md5Of(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func crc32Of(s string) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(s))))
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// TestWireBuckets: the bucket operations' requests and answers on the wire.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
func TestWireBuckets(t *testing.T) {
	w := newWorld(t)
	root := w.Root(account)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::web/*"}]}`
	sse := `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`
	tags := `<Tagging><TagSet><Tag><Key>team</Key><Value>ops</Value></Tag></TagSet></Tagging>`
	w.run(t, []wire{
		{name: "create in eu-west-1", as: root, region: "eu-west-1", method: "PUT", path: "/web",
			body:   `<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
			status: 200, headers: map[string]string{"Location": "/web"}},
		{name: "create in us-east-1", as: root, method: "PUT", path: "/plain", status: 200},
		{name: "a configuration that is not XML", as: root, method: "PUT", path: "/bad", body: "<Create", status: 400, code: "MalformedXML"},
		{name: "a canned ACL buckets do not have", as: root, method: "PUT", path: "/bad", header: hdr("x-amz-acl", "bucket-owner-read"), status: 400, code: "InvalidArgument"},
		{name: "list", as: root, method: "GET", path: "/", status: 200, has: []string{"<Name>web</Name>", "<BucketRegion>eu-west-1</BucketRegion>", "<Name>plain</Name>"}},
		{name: "head", as: root, region: "eu-west-1", method: "HEAD", path: "/web", status: 200, headers: map[string]string{"X-Amz-Bucket-Region": "eu-west-1"}},
		{name: "head in the wrong region", as: root, method: "HEAD", path: "/web", status: 301},
		{name: "location", as: root, method: "GET", path: "/web?location", status: 200, has: []string{">eu-west-1</LocationConstraint>"}},
		{name: "us-east-1's location is empty", as: root, method: "GET", path: "/plain?location", status: 200, has: []string{`<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>`}},
		{name: "acl", as: root, method: "GET", path: "/plain?acl", status: 200, has: []string{"<Permission>FULL_CONTROL</Permission>", "<DisplayName>" + account + "</DisplayName>"}},
		{name: "no policy yet", as: root, method: "GET", path: "/plain?policy", status: 404, code: "NoSuchBucketPolicy"},
		{name: "put a policy", as: root, method: "PUT", path: "/plain?policy", body: strings.ReplaceAll(policy, "web", "plain"), status: 204},
		{name: "get it", as: root, method: "GET", path: "/plain?policy", status: 200, has: []string{`"arn:aws:s3:::plain/*"`}, headers: map[string]string{"Content-Type": "application/json"}},
		{name: "a policy over 64 KiB", as: root, method: "PUT", path: "/plain?policy", body: strings.Repeat(" ", 65<<10), status: 400, code: "MalformedPolicy"},
		{name: "delete it", as: root, method: "DELETE", path: "/plain?policy", status: 204},
		{name: "default encryption", as: root, method: "GET", path: "/plain?encryption", status: 200, has: []string{"<SSEAlgorithm>AES256</SSEAlgorithm>"}},
		{name: "set encryption", as: root, method: "PUT", path: "/plain?encryption", body: strings.Replace(sse, "AES256", "aws:kms", 1), status: 200},
		{name: "read it", as: root, method: "GET", path: "/plain?encryption", status: 200, has: []string{"<SSEAlgorithm>aws:kms</SSEAlgorithm>"}},
		{name: "two rules", as: root, method: "PUT", path: "/plain?encryption", body: strings.Replace(sse, "<Rule>", "<Rule></Rule><Rule>", 1), status: 400, code: "MalformedXML"},
		{name: "delete encryption", as: root, method: "DELETE", path: "/plain?encryption", status: 204},
		{name: "versioning", as: root, method: "GET", path: "/plain?versioning", status: 200, has: []string{"<VersioningConfiguration"}},
		{name: "no tags", as: root, method: "GET", path: "/plain?tagging", status: 404, code: "NoSuchTagSet"},
		{name: "tag", as: root, method: "PUT", path: "/plain?tagging", body: tags, header: hdr("Content-MD5", md5Of(tags)), status: 204},
		{name: "a body that does not match its Content-MD5", as: root, method: "PUT", path: "/plain?tagging", body: tags, header: hdr("Content-MD5", md5Of("x")), status: 400, code: "BadDigest"},
		{name: "a Content-MD5 that is not one", as: root, method: "PUT", path: "/plain?tagging", body: tags, header: hdr("Content-MD5", "abc"), status: 400, code: "InvalidDigest"},
		{name: "a checksum that does not match", as: root, method: "PUT", path: "/plain?tagging", body: tags, header: hdr("x-amz-checksum-crc32", crc32Of("x")), status: 400, code: "BadDigest"},
		{name: "tags", as: root, method: "GET", path: "/plain?tagging", status: 200, has: []string{"<TagSet><Tag><Key>team</Key><Value>ops</Value></Tag></TagSet>"}},
		{name: "a sub-resource keytrail does not serve", as: root, method: "GET", path: "/plain?website", status: 501, code: "NotImplemented"},
		{name: "a max-keys that is no integer", as: root, method: "GET", path: "/plain?max-keys=ten", status: 400, code: "InvalidArgument"},
		{name: "delete", as: root, method: "DELETE", path: "/plain", status: 204},
		{name: "gone", as: root, method: "GET", path: "/plain?location", status: 404, code: "NoSuchBucket"},
	}, map[string]string{})
}

// TestWireObjects: objects on the wire: headers in (metadata, tagging, checksums, encryption) and
// out (ETag, ranges, conditional reads), listings v1 and v2, multipart, copy and DeleteObjects.
func TestWireObjects(t *testing.T) {
	w := newWorld(t)
	root := w.Root(account)
	w.bucket(t, root, "web")
	body := "hello, world"
	etag := md5Hex(body)
	part1 := sized(5 << 20)
	deleteBody := `<Delete><Object><Key>copy</Key></Object><Object><Key>none</Key></Object></Delete>`
	w.run(t, []wire{
		{name: "put", as: root, method: "PUT", path: "/web/dir/hello.txt", body: body,
			header: hdr("Content-Type", "text/plain", "x-amz-meta-Color", "blue", "x-amz-tagging", "a=b&c=d", "x-amz-checksum-crc32", crc32Of(body),
				"Content-MD5", md5Of(body), "x-amz-server-side-encryption", "AES256", "x-amz-acl", "private", "x-amz-storage-class", "STANDARD"),
			status: 200, headers: map[string]string{"ETag": etag, "X-Amz-Checksum-Crc32": crc32Of(body), "X-Amz-Server-Side-Encryption": "AES256"}},
		{name: "get", as: root, method: "GET", path: "/web/dir/hello.txt", status: 200, has: []string{body},
			headers: map[string]string{"Content-Type": "text/plain", "Content-Length": "12", "X-Amz-Meta-Color": "blue", "X-Amz-Tagging-Count": "2", "Accept-Ranges": "bytes"}},
		{name: "get with its checksum", as: root, method: "GET", path: "/web/dir/hello.txt", header: hdr("x-amz-checksum-mode", "ENABLED"), status: 200,
			headers: map[string]string{"X-Amz-Checksum-Crc32": crc32Of(body)}},
		{name: "a range", as: root, method: "GET", path: "/web/dir/hello.txt", header: hdr("Range", "bytes=7-"), status: 206, has: []string{"world"},
			headers: map[string]string{"Content-Range": "bytes 7-11/12", "Content-Length": "5"}},
		{name: "a suffix", as: root, method: "GET", path: "/web/dir/hello.txt", header: hdr("Range", "bytes=-5"), status: 206, headers: map[string]string{"Content-Range": "bytes 7-11/12"}},
		{name: "several ranges are ignored", as: root, method: "GET", path: "/web/dir/hello.txt", header: hdr("Range", "bytes=0-1,3-4"), status: 200},
		{name: "a range past the end", as: root, method: "GET", path: "/web/dir/hello.txt", header: hdr("Range", "bytes=20-30"), status: 416, code: "InvalidRange"},
		{name: "not modified", as: root, method: "GET", path: "/web/dir/hello.txt", header: hdr("If-None-Match", etag), status: 304},
		{name: "not modified since", as: root, method: "GET", path: "/web/dir/hello.txt", header: hdr("If-Modified-Since", "Wed, 02 Dec 2026 13:00:00 GMT"), status: 304},
		{name: "modified since", as: root, method: "GET", path: "/web/dir/hello.txt", header: hdr("If-Modified-Since", "Wed, 02 Dec 2026 11:00:00 GMT"), status: 200},
		{name: "precondition failed", as: root, method: "GET", path: "/web/dir/hello.txt", header: hdr("If-Match", `"x"`), status: 412, code: "PreconditionFailed"},
		{name: "unmodified since fails", as: root, method: "GET", path: "/web/dir/hello.txt", header: hdr("If-Unmodified-Since", "Wed, 02 Dec 2026 11:00:00 GMT"), status: 412},
		{name: "head", as: root, method: "HEAD", path: "/web/dir/hello.txt", status: 200, headers: map[string]string{"Content-Length": "12", "ETag": etag}},
		{name: "head of nothing", as: root, method: "HEAD", path: "/web/none", status: 404},
		{name: "object tags", as: root, method: "GET", path: "/web/dir/hello.txt?tagging", status: 200, has: []string{"<Key>a</Key><Value>b</Value>", "<Key>c</Key>"}},
		{name: "retag", as: root, method: "PUT", path: "/web/dir/hello.txt?tagging", body: `<Tagging><TagSet><Tag><Key>x</Key><Value>y</Value></Tag></TagSet></Tagging>`, status: 200},
		{name: "retagged", as: root, method: "GET", path: "/web/dir/hello.txt?tagging", status: 200, has: []string{"<Key>x</Key>"}},
		{name: "untag", as: root, method: "DELETE", path: "/web/dir/hello.txt?tagging", status: 204},
		{name: "untagged", as: root, method: "GET", path: "/web/dir/hello.txt?tagging", status: 200, has: []string{"<Tagging"}},
		{name: "a tagging header that does not parse", as: root, method: "PUT", path: "/web/x", header: hdr("x-amz-tagging", "a=%zz"), status: 400, code: "InvalidArgument"},
		{name: "a tag twice", as: root, method: "PUT", path: "/web/x", header: hdr("x-amz-tagging", "a=1&a=2"), status: 400, code: "InvalidArgument"},
		{name: "an unknown storage class", as: root, method: "PUT", path: "/web/x", header: hdr("x-amz-storage-class", "COLD"), status: 400, code: "InvalidStorageClass"},
		{name: "metadata too large", as: root, method: "PUT", path: "/web/x", header: hdr("x-amz-meta-big", strings.Repeat("m", 3<<10)), status: 400, code: "MetadataTooLarge"},
		{name: "an object canned ACL that is not one", as: root, method: "PUT", path: "/web/x", header: hdr("x-amz-acl", "log-delivery-write"), status: 400, code: "InvalidArgument"},
		{name: "two checksums", as: root, method: "PUT", path: "/web/x", header: hdr("x-amz-checksum-crc32", crc32Of(""), "x-amz-checksum-sha1", "2jmj7l5rSw0yVb/vlWAYkK/YBwk="), status: 400, code: "InvalidRequest"},
		{name: "an SDK checksum with no checksum", as: root, method: "PUT", path: "/web/x", header: hdr("x-amz-sdk-checksum-algorithm", "CRC32"), status: 400, code: "InvalidRequest"},
		{name: "an algorithm header that is not the checksum's", as: root, method: "PUT", path: "/web/x", header: hdr("x-amz-checksum-crc32", crc32Of(""), "x-amz-sdk-checksum-algorithm", "SHA1"), status: 400, code: "InvalidRequest"},
		{name: "a trailer checksum", as: root, method: "PUT", path: "/web/trailer", body: "t", header: hdr("x-amz-trailer", "x-amz-checksum-sha256", "x-amz-bucket-key-enabled", "false",
			"x-amz-server-side-encryption-bucket-key-enabled", "false"), status: 200, headers: map[string]string{"X-Amz-Checksum-Sha256": "*"}},
		{name: "copy", as: root, method: "PUT", path: "/web/copy", header: hdr("x-amz-copy-source", "/web/dir%2Fhello.txt", "x-amz-copy-source-if-modified-since", "Wed, 02 Dec 2026 11:00:00 GMT",
			"x-amz-copy-source-if-unmodified-since", "2026-12-02T13:00:00Z", "x-amz-metadata-directive", "REPLACE", "x-amz-meta-new", "1", "x-amz-checksum-algorithm", "SHA1"),
			status: 200, has: []string{"<CopyObjectResult", "<ETag>" + strings.ReplaceAll(etag, `"`, "&#34;") + "</ETag>", "<ChecksumSHA1>"}},
		{name: "the copy's metadata", as: root, method: "HEAD", path: "/web/copy", status: 200, headers: map[string]string{"X-Amz-Meta-New": "1", "X-Amz-Meta-Color": ""}},
		{name: "a copy source with no key", as: root, method: "PUT", path: "/web/copy2", header: hdr("x-amz-copy-source", "web"), status: 400, code: "InvalidArgument"},
		{name: "a copy source version", as: root, method: "PUT", path: "/web/copy2", header: hdr("x-amz-copy-source", "web/copy?versionId=3"), status: 400, code: "InvalidArgument"},
		{name: "a copy condition that is no date", as: root, method: "PUT", path: "/web/copy2", header: hdr("x-amz-copy-source", "web/copy", "x-amz-copy-source-if-modified-since", "soon"), status: 400, code: "InvalidArgument"},
		{name: "v1 listing", as: root, method: "GET", path: "/web?prefix=&delimiter=/&max-keys=1", status: 200,
			has: []string{"<Marker></Marker>", "<NextMarker>copy</NextMarker>", "<IsTruncated>true</IsTruncated>", "<Owner><ID>"}},
		{name: "v2 listing, a page", as: root, method: "GET", path: "/web?list-type=2&max-keys=1&fetch-owner=true", status: 200,
			has: []string{"<KeyCount>1</KeyCount>", "<Key>copy</Key>", "<NextContinuationToken>", "<Owner>"}},
		{name: "v2, the next page", as: root, method: "GET", path: "/web?list-type=2&continuation-token=${token}&delimiter=/&encoding-type=url", status: 200,
			has: []string{"<CommonPrefixes><Prefix>dir%2F</Prefix></CommonPrefixes>", "<EncodingType>url</EncodingType>", "<ContinuationToken>${token}</ContinuationToken>"}},
		{name: "v2 start-after", as: root, method: "GET", path: "/web?list-type=2&start-after=dir", status: 200, has: []string{"<StartAfter>dir</StartAfter>", "<Key>dir/hello.txt</Key>"}},
		{name: "a token keytrail did not make", as: root, method: "GET", path: "/web?list-type=2&continuation-token=abc", status: 400, code: "InvalidArgument"},
		{name: "an unknown encoding", as: root, method: "GET", path: "/web?encoding-type=base64", status: 400, code: "InvalidArgument"},
		{name: "a negative max-keys", as: root, method: "GET", path: "/web?max-keys=-1", status: 400, code: "InvalidArgument"},
		{name: "start an upload", as: root, method: "POST", path: "/web/mp?uploads", header: hdr("x-amz-checksum-algorithm", "CRC32", "Content-Type", "text/plain"), status: 200,
			has: []string{"<InitiateMultipartUploadResult", "<Key>mp</Key>"}, headers: map[string]string{"X-Amz-Checksum-Algorithm": "CRC32", "X-Amz-Server-Side-Encryption": "AES256"}},
		{name: "an unknown checksum algorithm", as: root, method: "POST", path: "/web/mp?uploads", header: hdr("x-amz-checksum-algorithm", "MD4"), status: 400, code: "InvalidRequest"},
		{name: "part 1", as: root, method: "PUT", path: "/web/mp?partNumber=1&uploadId=${upload}", body: part1, header: hdr("x-amz-checksum-crc32", crc32Of(part1)), status: 200,
			headers: map[string]string{"X-Amz-Checksum-Crc32": crc32Of(part1)}},
		{name: "part 2, copied", as: root, method: "PUT", path: "/web/mp?partNumber=2&uploadId=${upload}", header: hdr("x-amz-copy-source", "web/dir/hello.txt", "x-amz-copy-source-range", "bytes=0-4"),
			status: 200, has: []string{"<CopyPartResult"}},
		{name: "a part number that is no number", as: root, method: "PUT", path: "/web/mp?partNumber=one&uploadId=${upload}", status: 400, code: "InvalidArgument"},
		{name: "parts", as: root, method: "GET", path: "/web/mp?uploadId=${upload}", status: 200, has: []string{"<PartNumber>1</PartNumber>", "<PartNumber>2</PartNumber>", "<Size>5</Size>"}},
		{name: "uploads", as: root, method: "GET", path: "/web?uploads", status: 200, has: []string{"<UploadId>${upload}</UploadId>"}},
		{name: "complete", as: root, method: "POST", path: "/web/mp?uploadId=${upload}", status: 200,
			body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + md5Hex(part1) + `</ETag><ChecksumCRC32>` + crc32Of(part1) + `</ChecksumCRC32></Part>` +
				`<Part><PartNumber>2</PartNumber><ETag>` + md5Hex("hello") + `</ETag></Part></CompleteMultipartUpload>`,
			has: []string{"<CompleteMultipartUploadResult", "<Location>/web/mp</Location>", "-2&#34;</ETag>"}},
		{name: "the object", as: root, method: "GET", path: "/web/mp", header: hdr("Range", "bytes=5242878-"), status: 206, has: []string{"efhello"}},
		{name: "another upload", as: root, method: "POST", path: "/web/gone?uploads", status: 200},
		{name: "aborted", as: root, method: "DELETE", path: "/web/gone?uploadId=${upload}", status: 204},
		{name: "an upload no more", as: root, method: "GET", path: "/web/gone?uploadId=${upload}", status: 404, code: "NoSuchUpload"},
		{name: "DeleteObjects needs an integrity header", as: root, method: "POST", path: "/web?delete", body: deleteBody, status: 400, code: "InvalidRequest"},
		{name: "DeleteObjects", as: root, method: "POST", path: "/web?delete", body: deleteBody, header: hdr("Content-MD5", md5Of(deleteBody)), status: 200,
			has: []string{"<Deleted><Key>copy</Key></Deleted>", "<Deleted><Key>none</Key></Deleted>"}},
		{name: "DeleteObjects with a body that is not XML", as: root, method: "POST", path: "/web?delete", body: "<Delete", header: hdr("Content-MD5", md5Of("<Delete")), status: 400, code: "MalformedXML"},
		{name: "delete", as: root, method: "DELETE", path: "/web/dir/hello.txt", status: 204},
		{name: "deleted", as: root, method: "GET", path: "/web/dir/hello.txt", status: 404, code: "NoSuchKey"},
		{name: "another account", as: w.Root(other), method: "GET", path: "/web/mp", status: 403, code: "AccessDenied"},
	}, map[string]string{})
}

// md5Hex is the ETag of a body written whole: its MD5 in hex, quoted.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}
