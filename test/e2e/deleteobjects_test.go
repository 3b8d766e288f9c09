//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// TestDeleteObjectsCLI: both CLIs' delete-objects and `s3 rm --recursive` carry the integrity
// header S3 requires of a Multi-Object Delete (Content-MD5 or a checksum), so keytrail's refusal
// of a request without one does not get in their way.
func TestDeleteObjectsCLI(t *testing.T) {
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, t.TempDir())
			c.succeeds(t, s.url, root, "s3", "mb", "s3://e2e-delete")
			for _, k := range []string{"a", "b", "c/d"} {
				c.ok(t, s.url, root, "s3api", "put-object", "--bucket", "e2e-delete", "--key", k)
			}
			out := c.ok(t, s.url, root, "s3api", "delete-objects", "--bucket", "e2e-delete",
				"--delete", `{"Objects":[{"Key":"a"},{"Key":"b"}]}`)
			if deleted, _ := out["Deleted"].([]any); len(deleted) != 2 {
				t.Fatalf("delete-objects = %v", out)
			}
			c.succeeds(t, s.url, root, "s3", "rm", "s3://e2e-delete/", "--recursive")
			if ls := c.ok(t, s.url, root, "s3api", "list-objects-v2", "--bucket", "e2e-delete"); ls["Contents"] != nil {
				t.Fatalf("objects left: %v", ls)
			}
			if got := c.succeeds(t, s.url, root, "s3", "ls", "s3://e2e-delete/"); strings.TrimSpace(got) != "" {
				t.Fatalf("s3 ls after rm: %q", got)
			}
		})
	}
}
