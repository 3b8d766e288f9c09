//go:build e2e

package app_test

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/checksum"
	s3svc "github.com/keytrail/keytrail/internal/s3"
)

// modelEnums reads the enum shapes of botocore's S3 model.
func modelEnums(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		t.Fatalf("botocore (from the AWS CLI) is needed to read the S3 model: %v", err)
	}
	f, err := os.Open(filepath.Join(strings.TrimSpace(string(out)), "data", "s3", "2006-03-01", "service-2.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Shapes map[string]struct{ Enum []string }
	}
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		t.Fatal(err)
	}
	enums := map[string][]string{}
	for name, s := range m.Shapes {
		if len(s.Enum) > 0 {
			enums[name] = s.Enum
		}
	}
	return enums
}

// TestS3EnumsMatchTheModel holds S3's tables of accepted values to the model: the canned ACLs and
// storage classes accept every value of the model (and only documented extras); the encryption
// and checksum algorithms keytrail implements are values of the model.
func TestS3EnumsMatchTheModel(t *testing.T) {
	model := modelEnums(t)
	extras := map[string][]string{"BucketCannedACL": {"log-delivery-write"}} // acl-overview.html#canned-acl
	subsets := map[string]bool{"ServerSideEncryption": true, "ChecksumAlgorithm": true}
	tables := s3svc.Enums()
	if len(tables) == 0 {
		t.Fatal("no tables")
	}
	for name, ours := range tables {
		want, ok := model[name]
		if !ok {
			t.Errorf("%s is not an enum of the S3 model", name)
			continue
		}
		for _, v := range ours {
			if !slices.Contains(want, v) && !slices.Contains(extras[name], v) {
				t.Errorf("%s: %q is not in the model %v", name, v, want)
			}
		}
		if subsets[name] {
			continue
		}
		for _, v := range want {
			if !slices.Contains(ours, v) {
				t.Errorf("%s: the model's %q is refused", name, v)
			}
		}
	}
	var algs []string
	for _, a := range checksum.Algorithms {
		algs = append(algs, strings.ToUpper(a))
	}
	if slices.Sort(algs); !slices.Equal(algs, tables["ChecksumAlgorithm"]) {
		t.Errorf("checksum algorithms %v, table %v", algs, tables["ChecksumAlgorithm"])
	}
}
