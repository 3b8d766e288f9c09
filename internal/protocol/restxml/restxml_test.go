package restxml

import (
	"net/http/httptest"
	"testing"
)

func TestParseTarget(t *testing.T) {
	cases := []struct {
		host, target string
		bucket, key  string
		level        Level
	}{
		{"127.0.0.1:4566", "/", "", "", ServiceLevel},
		{"127.0.0.1:4566", "/logs", "logs", "", BucketLevel},
		{"localhost:4566", "/logs/AWSLogs/111122223333/x%20y.json.gz?versionId=1", "logs", "AWSLogs/111122223333/x y.json.gz", ObjectLevel},
		{"logs.s3.localhost.localstack.cloud:4566", "/AWSLogs/a.gz", "logs", "AWSLogs/a.gz", ObjectLevel},
		{"my.dotted.bucket.s3.us-east-1.amazonaws.com", "/", "my.dotted.bucket", "", BucketLevel},
		{"s3.us-east-1.amazonaws.com", "/b/k", "b", "k", ObjectLevel},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", c.target, nil)
		r.Host = c.host
		got, err := ParseTarget(r)
		if err != nil {
			t.Fatal(err)
		}
		if got.Bucket != c.bucket || got.Key != c.key || got.Level() != c.level {
			t.Errorf("%s%s: bucket %q key %q level %d; want %q %q %d", c.host, c.target, got.Bucket, got.Key, got.Level(), c.bucket, c.key, c.level)
		}
	}
}
