//go:build e2e

package app_test

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// crossCheckJSON fails unless python3's json module reads n records from the log files at paths,
// as encoding/json did: a second parser's opinion of the bytes keytrail delivers.
func crossCheckJSON(t *testing.T, paths []string, n int) {
	t.Helper()
	py := `import json, sys
n = 0
for p in sys.argv[1:]:
    with open(p, encoding="utf-8") as f:
        n += len(json.load(f)["Records"])
print(n)`
	out, err := exec.Command("python3", append([]string{"-c", py}, paths...)...).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != strconv.Itoa(n) {
		t.Fatalf("python3's json module on the log files: %v: %s (encoding/json read %d records)", err, out, n)
	}
}
