package console

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/keytrail/keytrail/internal/validatelogs"
)

// maxObject bounds the size of a log or digest file the browser opens (after gunzip): CloudTrail
// log files are small, and a page holding more is unreadable anyway.
const maxObject = 8 << 20

// bucketRow is a row of the buckets list.
type bucketRow struct {
	Name    string
	Created time.Time
}

// buckets lists the account's buckets (ListBuckets), the S3 console's first page; each leads to
// its AWSLogs/ tree.
func (c *Console) buckets(w http.ResponseWriter, r *http.Request, ss *session) {
	p := &page{Title: "S3 buckets", Session: ss}
	p.CLI = []cliCommand{c.regional(r, "List the buckets", "s3api", "list-buckets")}
	out, err := c.clientsFor(r, ss).s3().ListBuckets(r.Context(), &s3.ListBucketsInput{})
	if err != nil {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "buckets", p)
		return
	}
	var rows []bucketRow
	for _, b := range out.Buckets {
		rows = append(rows, bucketRow{Name: aws.ToString(b.Name), Created: aws.ToTime(b.CreationDate)})
	}
	p.Data = rows
	c.render(w, http.StatusOK, "buckets", p)
}

// crumb is a link of a prefix's path: a folder up the tree.
type crumb struct{ Name, Prefix string }

// objectRow is an object of a listing.
type objectRow struct {
	Key, Name string
	Size      int64
	Modified  time.Time
}

// folderData is a bucket's listing at a prefix.
type folderData struct {
	Bucket, Prefix string
	Crumbs         []crumb
	Folders        []crumb
	Objects        []objectRow
	Next           string // the continuation token of the next page
}

// folder lists a bucket at a prefix one level deep (ListObjectsV2 with the delimiter "/"), as
// the S3 console's folders: CloudTrail's AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/
// tree (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html).
func (c *Console) folder(w http.ResponseWriter, r *http.Request, ss *session) {
	bucket, prefix := r.PathValue("bucket"), r.URL.Query().Get("prefix")
	p := &page{Title: "Bucket " + bucket, Session: ss}
	p.CLI = []cliCommand{c.regional(r, "List this folder", "s3api", "list-objects-v2", "--bucket", bucket, "--prefix", prefix, "--delimiter", "/")}
	data := &folderData{Bucket: bucket, Prefix: prefix, Crumbs: crumbs(prefix)}
	p.Data = data
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Delimiter: aws.String("/"), MaxKeys: aws.Int32(200)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	if t := r.URL.Query().Get("token"); t != "" {
		in.ContinuationToken = aws.String(t)
	}
	out, err := c.clientsFor(r, ss).s3().ListObjectsV2(r.Context(), in)
	if err != nil {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "folder", p)
		return
	}
	for _, cp := range out.CommonPrefixes {
		full := aws.ToString(cp.Prefix)
		data.Folders = append(data.Folders, crumb{Name: strings.TrimPrefix(full, prefix), Prefix: full})
	}
	for _, o := range out.Contents {
		key := aws.ToString(o.Key)
		data.Objects = append(data.Objects, objectRow{Key: key, Name: strings.TrimPrefix(key, prefix), Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified)})
	}
	if aws.ToBool(out.IsTruncated) {
		data.Next = aws.ToString(out.NextContinuationToken)
	}
	c.render(w, http.StatusOK, "folder", p)
}

// crumbs are the folders of a prefix from the bucket's root, each with its own prefix.
func crumbs(prefix string) []crumb {
	var out []crumb
	for i := 0; i < len(prefix); {
		j := strings.IndexByte(prefix[i:], '/')
		if j < 0 {
			break
		}
		out = append(out, crumb{Name: prefix[i : i+j], Prefix: prefix[:i+j+1]})
		i += j + 1
	}
	return out
}

// objectData is a file opened from a bucket.
type objectData struct {
	Bucket, Key, Folder string
	Crumbs              []crumb
	ContentType         string
	Encryption, KeyID   string // SSE-KMS and its key, or AES256
	Size                int64
	Body                string // the file, JSON indented; "" when too large or binary
	Note                string // why Body is empty
	Digest              bool   // a CloudTrail digest file
	Validation          *validatelogs.DigestValidation
	ValidationError     *apiError
	Metadata            map[string]string
}

// object opens a file as the signed-in identity (GetObject): S3 decrypts an SSE-KMS log file
// with the identity's kms:Decrypt, so one without it sees AWS's AccessDenied
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html). A gzipped
// file is unzipped and JSON indented; a digest file is also validated as validate-logs does.
func (c *Console) object(w http.ResponseWriter, r *http.Request, ss *session) {
	bucket, key := r.PathValue("bucket"), r.URL.Query().Get("key")
	folder := key[:strings.LastIndexByte(key, '/')+1]
	p := &page{Title: strings.TrimPrefix(key, folder), Session: ss}
	data := &objectData{Bucket: bucket, Key: key, Folder: folder, Crumbs: crumbs(folder),
		Digest: strings.Contains(key, "/CloudTrail-Digest/") && strings.HasSuffix(key, ".json.gz")}
	p.Data = data
	p.CLI = []cliCommand{c.regional(r, "Download the file", "s3api", "get-object", "--bucket", bucket, "--key", key, "log.json.gz")}
	if key == "" {
		p.Error = &apiError{Code: "InvalidArgument", Message: "Choose a file of the bucket to open: the key parameter is empty."}
		c.render(w, http.StatusOK, "object", p)
		return
	}
	cl := c.clientsFor(r, ss)
	out, err := cl.s3().GetObject(r.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "object", p)
		return
	}
	defer out.Body.Close()
	data.ContentType, data.Size, data.Metadata = aws.ToString(out.ContentType), aws.ToInt64(out.ContentLength), out.Metadata
	data.Encryption, data.KeyID = string(out.ServerSideEncryption), aws.ToString(out.SSEKMSKeyId)
	raw, err := io.ReadAll(io.LimitReader(out.Body, maxObject+1))
	if err != nil {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "object", p)
		return
	}
	data.Body, data.Note = readable(raw)
	if data.Digest {
		p.CLI = append(p.CLI, c.regional(r, "Validate the trail's log files", "cloudtrail", "validate-logs", "--trail-arn", "<trail ARN>", "--start-time", "<time>", "--verbose"))
		v, err := validatelogs.ValidateDigest(r.Context(), cl.cloudtrail(), cl.s3(), bucket, key)
		if err != nil {
			data.ValidationError = c.explained(ss, err)
		} else {
			data.Validation = &v
		}
	}
	c.render(w, http.StatusOK, "object", p)
}

// readable is a file's text for the page: gunzipped if gzipped, indented if JSON; or a note
// saying why it is not shown.
func readable(raw []byte) (string, string) {
	if len(raw) > maxObject {
		return "", "The file is larger than 8 MiB: download it to read it."
	}
	if len(raw) > 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return "", "The file is not a valid gzip stream."
		}
		text, err := io.ReadAll(io.LimitReader(zr, maxObject+1))
		switch {
		case err != nil:
			return "", "The file is not a valid gzip stream."
		case len(text) > maxObject:
			return "", "The file is larger than 8 MiB unzipped: download it to read it."
		}
		raw = text
	}
	if json.Valid(raw) {
		return indent(string(raw)), ""
	}
	if !utf8Text(raw) {
		return "", "The file is not text."
	}
	return string(raw), ""
}

// utf8Text reports whether b is text a page can show.
func utf8Text(b []byte) bool {
	return !bytes.ContainsRune(b, 0) && strings.ToValidUTF8(string(b), "\uFFFD") == string(b)
}
