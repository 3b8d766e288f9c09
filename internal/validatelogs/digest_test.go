package validatelogs_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/keytrail/keytrail/internal/validatelogs"
)

// ValidateDigest checks one digest and its log files, each with validate-logs' words.
func TestValidateDigest(t *testing.T) {
	w, _, digests, logs := threeHours(t)
	ctx := context.Background()
	check := func(key string) validatelogs.DigestValidation {
		t.Helper()
		v, err := validatelogs.ValidateDigest(ctx, w.ct, w.s3, bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := check(digests[1])
	if !v.Digest.Valid() || v.Digest.Key != digests[1] || v.Digest.Bucket != bucket || v.Digest.Kind != "Digest file" ||
		len(v.Logs) != 1 || v.Logs[0] != (validatelogs.FileStatus{Kind: "Log file", Bucket: bucket, Key: logs[1], Status: "valid"}) {
		t.Fatalf("a valid digest: %+v", v)
	}

	w.put(logs[1], object{gz(t, append(gunzip(t, w.get(logs[1]).body), ' ')), nil})
	if v := check(digests[1]); !v.Digest.Valid() || len(v.Logs) != 1 || v.Logs[0].Valid() || v.Logs[0].Status != "INVALID: hash value doesn't match" {
		t.Errorf("a modified log file: %+v", v)
	}
	o := w.get(digests[2])
	w.put(digests[2], object{gz(t, bytes.Replace(gunzip(t, o.body), []byte(`"logFiles":[`), []byte(`"logFiles":[ `), 1)), o.meta})
	if v := check(digests[2]); v.Digest.Valid() || v.Digest.Status != "INVALID: signature verification failed" || v.Logs != nil {
		t.Errorf("a modified digest: %+v", v)
	}
	w.put(digests[0], object{gunzip(t, w.get(digests[0]).body), w.get(digests[0]).meta})
	if v := check(digests[0]); v.Digest.Status != "INVALID: invalid format" {
		t.Errorf("a digest not gzipped: %+v", v)
	}
	if v := check("elsewhere/digest.json.gz"); v.Digest.Status != "INVALID: not found" {
		t.Errorf("a key outside CloudTrail-Digest/: %+v", v)
	}
	if v := check(digests[0] + ".missing"); v.Digest.Status != "INVALID: not found" || v.Digest.Key != digests[0]+".missing" {
		t.Errorf("a missing digest: %+v", v)
	}
}
