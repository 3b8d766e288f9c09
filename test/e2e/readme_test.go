//go:build e2e

package e2e

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// readmeScript is the README's ```sh blocks, in order, as one script, with keytrail's default
// port replaced by addr's and `go run ./cmd/keytrail` by the prebuilt binary: nothing else.
func readmeScript(readme, addr string) (string, error) {
	var script strings.Builder
	in := false
	for _, line := range strings.Split(readme, "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```sh":
			in = true
		case in && strings.TrimSpace(line) == "```":
			in = false
		case in:
			script.WriteString(line + "\n")
		}
	}
	if in {
		return "", fmt.Errorf("an sh block is not closed")
	}
	s := strings.ReplaceAll(script.String(), "127.0.0.1:4566", addr)
	s = strings.ReplaceAll(s, "go run ./cmd/keytrail", binary)
	if strings.Contains(s, "4566") || strings.Contains(s, "go run") {
		return "", fmt.Errorf("the script still names port 4566 or go run:\n%s", s)
	}
	return s, nil
}

// TestReadmeQuickStart runs the README's sh blocks in one bash process (errexit and nounset on),
// in a fresh directory holding only examples/, so the quick start's ./keytrail-data is new. The
// script starts keytrail itself and waits for its health; the test then checks what it left
// behind, and stops the server, which the script leaves running in the background.
func TestReadmeQuickStart(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	check(t, err)
	addr := freePort(t)
	script, err := readmeScript(string(readme), addr)
	check(t, err)
	dir := t.TempDir()
	check(t, os.CopyFS(filepath.Join(dir, "examples"), os.DirFS("../../examples")))
	check(t, os.WriteFile(filepath.Join(dir, "quickstart.sh"), []byte(script), 0o600))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-eu", "quickstart.sh")
	cmd.Dir = dir
	cmd.Env = append(awsEnv(t, keys{}, ""), "KEYTRAIL_ADDR="+addr)
	inOwnGroup(cmd) // the script's background keytrail joins its group
	// A file, not a pipe: the background keytrail keeps its output open after bash exits.
	log, err := os.Create(filepath.Join(dir, "quickstart.out"))
	check(t, err)
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	began := time.Now()
	check(t, cmd.Start())
	t.Cleanup(func() { stopGroup(t, cmd.Process.Pid, "http://"+addr) })
	err = cmd.Wait()
	t.Logf("the README's quick start ran in %s", time.Since(began).Round(time.Millisecond))
	out, readErr := os.ReadFile(log.Name())
	check(t, readErr)
	if err != nil {
		t.Fatalf("the README's script failed: %v\n%s", err, out)
	}
	checkQuickStartOutput(t, string(out))
	checkQuickStartState(t, "http://"+addr, dir)
}

// checkQuickStartOutput: mallory's read was refused by the key, and both validators found every
// digest and log file valid.
func checkQuickStartOutput(t *testing.T, out string) {
	t.Helper()
	if !strings.Contains(out, "(AccessDenied) when calling the GetObject operation: User: arn:aws:iam::111122223333:user/mallory is not authorized to perform: kms:Decrypt") {
		t.Errorf("mallory's refusal is missing:\n%s", out)
	}
	found := map[string]int{}
	for _, m := range ratio.FindAllStringSubmatch(out, -1) {
		if m[1] != m[2] || m[1] == "0" {
			t.Errorf("validation: %s", m[0])
		}
		found[m[3]]++
	}
	if found["digest"] != 2 || found["log"] != 2 {
		t.Errorf("want both validators' digest and log results, got %v:\n%s", found, out)
	}
}

// checkQuickStartState checks the server the script left behind: the trail logs under the key
// alias/trail names, with validation; its log files are encrypted under that key; the log file
// alice's role read holds the call the script made.
func checkQuickStartState(t *testing.T, url, dir string) {
	t.Helper()
	ctx := context.Background()
	c := clients(url)
	alias, err := c.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/trail")})
	check(t, err)
	keyARN := aws.ToString(alias.KeyMetadata.Arn)
	policy, err := c.kms.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: alias.KeyMetadata.KeyId, PolicyName: aws.String("default")})
	check(t, err)
	for _, sid := range []string{"Allow CloudTrail to encrypt logs", "Enable CloudTrail log decrypt permissions", "Allow CloudTrail access", keyARN} {
		if !strings.Contains(aws.ToString(policy.Policy), sid) {
			t.Errorf("the key policy lacks %q: %s", sid, aws.ToString(policy.Policy))
		}
	}
	trails, err := c.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("management")})
	check(t, err)
	status, err := c.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management")})
	check(t, err)
	if aws.ToString(trails.Trail.KmsKeyId) != keyARN || !aws.ToBool(trails.Trail.LogFileValidationEnabled) || !aws.ToBool(status.IsLogging) {
		t.Fatalf("trail %+v, logging %v", trails.Trail, aws.ToBool(status.IsLogging))
	}
	logs := c.keys(t, "trail-logs", "AWSLogs/"+account+"/CloudTrail/")
	if len(logs) == 0 || len(c.keys(t, "trail-logs", "AWSLogs/"+account+"/CloudTrail-Digest/")) == 0 {
		t.Fatalf("log files %v, and digests missing", logs)
	}
	for _, key := range logs {
		head, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(key)})
		check(t, err)
		if aws.ToString(head.SSEKMSKeyId) != keyARN {
			t.Errorf("%s is encrypted under %q, want %s", key, aws.ToString(head.SSEKMSKeyId), keyARN)
		}
	}
	if !readLogHolds(t, filepath.Join(dir, "log.json.gz"), "GetCallerIdentity", "arn:aws:iam::111122223333:root") {
		t.Error("the log file alice's role read does not hold the script's GetCallerIdentity")
	}
}

// readLogHolds reports whether the gzip log file holds an event of that name by that caller.
func readLogHolds(t *testing.T, path, event, caller string) bool {
	t.Helper()
	f, err := os.Open(path)
	check(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	check(t, err)
	var doc struct {
		Records []struct {
			EventName    string `json:"eventName"`
			UserIdentity struct {
				ARN string `json:"arn"`
			} `json:"userIdentity"`
		}
	}
	body, err := io.ReadAll(zr)
	check(t, err)
	check(t, json.Unmarshal(body, &doc))
	for _, r := range doc.Records {
		if r.EventName == event && r.UserIdentity.ARN == caller {
			return true
		}
	}
	return false
}

// stopGroup ends the script's process group, the background keytrail with it: SIGTERM, then
// SIGKILL if keytrail still answers after ten seconds.
func stopGroup(t *testing.T, pgid int, url string) {
	_ = signalGroup(pgid, false) // the group may have ended already; answers(url) decides
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if !answers(url) {
			return
		}
	}
	_ = signalGroup(pgid, true) // the group may have ended already; answers(url) decides
	time.Sleep(500 * time.Millisecond)
	if answers(url) {
		t.Errorf("keytrail at %s still answers after SIGKILL", url)
	}
}

func answers(url string) bool {
	resp, err := http.Get(url + "/_keytrail/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}
