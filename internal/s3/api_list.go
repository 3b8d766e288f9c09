package s3

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/protocol/restxml"
)

type listEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
	Owner        *owner `xml:"Owner,omitempty"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

type listBucketResult struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Xmlns                 string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Marker                *string        `xml:"Marker,omitempty"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	KeyCount              *int           `xml:"KeyCount,omitempty"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []listEntry    `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

// handleListObjects serves ListObjects (v1, Marker) and ListObjectsV2 (list-type=2,
// continuation-token, start-after), with encoding-type=url.
func (s *Service) handleListObjects(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	q := t.Query
	v2 := q.Get("list-type") == "2"
	enc := q.Get("encoding-type")
	if enc != "" && enc != "url" {
		return awserr.New(awserr.InvalidArgument, "Invalid Encoding Method specified in Request")
	}
	maxKeys := 1000
	if m := q.Get("max-keys"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 {
			return awserr.New(awserr.InvalidArgument, "Provided max-keys not an integer or within integer range")
		}
		maxKeys = min(n, 1000)
	}
	in := &ListObjectsInput{Bucket: t.Bucket, Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"), MaxKeys: maxKeys}
	res := listBucketResult{Xmlns: namespace, Name: t.Bucket, MaxKeys: maxKeys, EncodingType: enc}
	if v2 {
		in.After = q.Get("start-after")
		res.StartAfter = q.Get("start-after")
		if tok := q.Get("continuation-token"); tok != "" {
			after, err := readContinuationToken(t.Bucket, tok)
			if err != nil {
				return err
			}
			in.After, res.ContinuationToken = after, tok
		}
	} else {
		in.After = q.Get("marker")
		marker := in.After
		res.Marker = &marker
	}
	out, err := s.ListObjects(ctx, in)
	if err != nil {
		return err
	}
	esc := func(s string) string {
		if enc == "url" {
			return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
		}
		return s
	}
	res.Prefix, res.Delimiter, res.IsTruncated = esc(in.Prefix), esc(in.Delimiter), out.Truncated
	fetchOwner := !v2 || q.Get("fetch-owner") == "true"
	for _, o := range out.Objects {
		e := listEntry{Key: esc(o.Key), LastModified: s3Time(o.LastModified), ETag: o.ETag, Size: o.Size, StorageClass: "STANDARD"}
		if fetchOwner {
			ow := ownerOf(o.Owner)
			e.Owner = &ow
		}
		res.Contents = append(res.Contents, e)
	}
	for _, p := range out.Prefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{esc(p)})
	}
	if v2 {
		n := len(out.Objects) + len(out.Prefixes)
		res.KeyCount = &n
		if out.Truncated {
			res.NextContinuationToken = continuationToken(t.Bucket, out.Last)
		}
	} else if out.Truncated && in.Delimiter != "" {
		res.NextMarker = esc(out.Last)
	}
	return writeXML(w, http.StatusOK, res)
}

type versionEntry struct {
	Key          string `xml:"Key"`
	VersionID    string `xml:"VersionId"`
	IsLatest     bool   `xml:"IsLatest"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
	Owner        owner  `xml:"Owner"`
}

type listVersionsResult struct {
	XMLName             xml.Name       `xml:"ListVersionsResult"`
	Xmlns               string         `xml:"xmlns,attr"`
	Name                string         `xml:"Name"`
	Prefix              string         `xml:"Prefix"`
	KeyMarker           string         `xml:"KeyMarker"`
	VersionIDMarker     string         `xml:"VersionIdMarker"`
	NextKeyMarker       string         `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string         `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int            `xml:"MaxKeys"`
	Delimiter           string         `xml:"Delimiter,omitempty"`
	EncodingType        string         `xml:"EncodingType,omitempty"`
	IsTruncated         bool           `xml:"IsTruncated"`
	Versions            []versionEntry `xml:"Version"`
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

// handleListObjectVersions serves ListObjectVersions (?versions): key-marker and
// version-id-marker page it; each object is its one version, "null".
func (s *Service) handleListObjectVersions(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	q := t.Query
	enc := q.Get("encoding-type")
	if enc != "" && enc != "url" {
		return awserr.New(awserr.InvalidArgument, "Invalid Encoding Method specified in Request")
	}
	maxKeys := 1000
	if m := q.Get("max-keys"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 {
			return awserr.New(awserr.InvalidArgument, "Provided max-keys not an integer or within integer range")
		}
		maxKeys = min(n, 1000)
	}
	marker, versionMarker := q.Get("key-marker"), q.Get("version-id-marker")
	if versionMarker != "" && marker == "" {
		return awserr.New(awserr.InvalidArgument, "A version-id marker cannot be specified without a key marker.")
	}
	if versionMarker != "" && versionMarker != "null" {
		return awserr.New(awserr.InvalidArgument, "Invalid version id specified")
	}
	in := &ListObjectsInput{Bucket: t.Bucket, Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"), MaxKeys: maxKeys, After: marker}
	out, err := s.ListObjectVersions(ctx, in)
	if err != nil {
		return err
	}
	esc := func(s string) string {
		if enc == "url" {
			return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
		}
		return s
	}
	res := listVersionsResult{Xmlns: namespace, Name: t.Bucket, Prefix: esc(in.Prefix), KeyMarker: esc(marker), VersionIDMarker: versionMarker,
		MaxKeys: maxKeys, Delimiter: esc(in.Delimiter), EncodingType: enc, IsTruncated: out.Truncated}
	for _, o := range out.Objects {
		res.Versions = append(res.Versions, versionEntry{Key: esc(o.Key), VersionID: "null", IsLatest: true, LastModified: s3Time(o.LastModified),
			ETag: o.ETag, Size: o.Size, StorageClass: "STANDARD", Owner: ownerOf(o.Owner)})
	}
	for _, p := range out.Prefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{esc(p)})
	}
	if out.Truncated {
		res.NextKeyMarker = esc(out.Last)
		if len(out.Objects) > 0 && out.Objects[len(out.Objects)-1].Key == out.Last {
			res.NextVersionIDMarker = "null"
		}
	}
	return writeXML(w, http.StatusOK, res)
}
