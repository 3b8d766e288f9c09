// Command kmsload measures keytrail's KMS under load: it starts `keytrail serve` (a binary it is
// given, or one it builds), creates an IAM user whose identity policy the default key policy
// delegates to, and drives GenerateDataKey and then Decrypt with N aws-sdk-go-v2 workers for a
// while each. It reports operations per second, p50 and p99 latency, and the server's CPU time
// per operation (utime+stime of the server process from /proc, divided by the operations).
//
//	go run ./cmd/kmsload -workers 8 -duration 10s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func main() {
	workers := flag.Int("workers", 8, "concurrent clients")
	duration := flag.Duration("duration", 10*time.Second, "how long each operation is driven")
	binary := flag.String("keytrail", "", "the keytrail binary (default: built from ./cmd/keytrail)")
	endpoint := flag.String("endpoint", "", "drive a server that is already running instead (no setup: root credentials, key alias/load)")
	pid := flag.Int("pid", 0, "with -endpoint: the server's process ID, for its CPU time")
	baseline := flag.Bool("baseline", true, "also drive a net/http server that answers every request with a canned GenerateDataKey response, for scale")
	cannedAddr := flag.String("canned", "", "internal: serve the canned answer on this address")
	flag.Parse()
	if *cannedAddr != "" {
		serveCanned(*cannedAddr)
		return
	}
	// The client shares the machine with the server: keep its own collector quiet, so that the
	// server's CPU per operation is not inflated by the client's garbage collection.
	debug.SetGCPercent(400)
	var err error
	if *endpoint != "" {
		err = external(*endpoint, *pid, *workers, *duration)
	} else {
		err = run(*workers, *duration, *binary)
		if err == nil && *baseline {
			err = canned(*workers, *duration)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kmsload:", err)
		os.Exit(1)
	}
}

func run(workers int, duration time.Duration, binary string) error {
	dir, err := os.MkdirTemp("", "kmsload")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }() // a leftover temporary directory is harmless
	if binary == "" {
		binary = filepath.Join(dir, "keytrail")
		if out, err := exec.Command("go", "build", "-o", binary, "./cmd/keytrail").CombinedOutput(); err != nil {
			return fmt.Errorf("build keytrail: %v\n%s", err, out)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	_ = l.Close() // only its free port was wanted
	srv := exec.Command(binary, "serve", "--addr", addr, "--data", filepath.Join(dir, "data"), "--log-level", "warn")
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { _ = srv.Process.Signal(os.Interrupt); _ = srv.Wait() }() // stopping the server, whatever its status
	url := "http://" + addr
	for i := 0; ; i++ {
		if resp, err := http.Get(url + "/_keytrail/health"); err == nil {
			resp.Body.Close()
			break
		}
		if i > 100 {
			return fmt.Errorf("keytrail did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}

	ctx := context.Background()
	transport := &http.Transport{MaxIdleConns: workers * 2, MaxIdleConnsPerHost: workers * 2}
	httpClient := &http.Client{Transport: transport}
	creds := func(id, secret string) aws.CredentialsProviderFunc {
		return func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}, nil
		}
	}
	admin := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: creds("111122223333", "test"), HTTPClient: httpClient})
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("load")}); err != nil {
		return err
	}
	if _, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("load"), PolicyName: aws.String("kms"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"}]}`)}); err != nil {
		return err
	}
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("load")})
	if err != nil {
		return err
	}
	rootKMS := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: creds("111122223333", "test"), HTTPClient: httpClient})
	created, err := rootKMS.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("kmsload")})
	if err != nil {
		return err
	}
	keyID := created.KeyMetadata.KeyId
	client := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), HTTPClient: httpClient, RetryMaxAttempts: 1,
		Credentials: creds(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey))})
	ec := map[string]string{"aws:cloudtrail:arn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/load"}
	sample, err := client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: keyID, KeySpec: kmstypes.DataKeySpecAes256, EncryptionContext: ec})
	if err != nil {
		return err
	}

	fmt.Printf("keytrail %s, %d workers, %v per operation, caller: IAM user (identity policy through the default key policy)\n", addr, workers, duration)
	fmt.Printf("%-16s %10s %10s %10s %10s %14s\n", "operation", "ops", "ops/s", "p50", "p99", "server CPU/op")
	for _, op := range []struct {
		name string
		call func() error
	}{
		{"GenerateDataKey", func() error {
			_, err := client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: keyID, KeySpec: kmstypes.DataKeySpecAes256, EncryptionContext: ec})
			return err
		}},
		{"Decrypt", func() error {
			_, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: sample.CiphertextBlob, EncryptionContext: ec})
			return err
		}},
	} {
		r, err := drive(srv.Process.Pid, workers, duration, op.call)
		if err != nil {
			return fmt.Errorf("%s: %w", op.name, err)
		}
		fmt.Printf("%-16s %10d %10.0f %10v %10v %14v\n", op.name, r.ops, float64(r.ops)/r.elapsed.Seconds(),
			r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), (r.cpu / time.Duration(r.ops)).Round(100*time.Nanosecond))
	}
	return nil
}

// external drives a server that is already running, for comparison (for example a net/http
// server answering every request with a canned GenerateDataKey response).
func external(url string, pid, workers int, duration time.Duration) error {
	client := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		HTTPClient: &http.Client{Transport: &http.Transport{MaxIdleConns: workers * 2, MaxIdleConnsPerHost: workers * 2}},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "111122223333", SecretAccessKey: "test"}, nil
		})})
	ctx := context.Background()
	r, err := drive(pid, workers, duration, func() error {
		_, err := client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("alias/load"), KeySpec: kmstypes.DataKeySpecAes256})
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("%-16s %10d %10.0f %10v %10v %14v   (canned net/http server at %s, for scale)\n", "GenerateDataKey", r.ops, float64(r.ops)/r.elapsed.Seconds(),
		r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), (r.cpu / time.Duration(r.ops)).Round(100*time.Nanosecond), url)
	return nil
}

// cannedBody is a GenerateDataKey response of the usual size.
const cannedBody = `{"CiphertextBlob":"AQBLYXJuOmF3czprbXM6dXMtZWFzdC0xOjExMTEyMjIyMzMzMzprZXkvMTIzNGFiY2QtMTJhYi0zNGNkLTU2ZWYtMTIzNDU2Nzg5MGFiAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==","Plaintext":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}`

// serveCanned answers every request with cannedBody: the cost of net/http alone.
func serveCanned(addr string) {
	srv := &http.Server{Addr: addr, ReadHeaderTimeout: 30 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, cannedBody) // a client gone mid-response is not the server's error
	})}
	err := srv.ListenAndServe()
	fmt.Fprintln(os.Stderr, "kmsload: canned server:", err)
	os.Exit(1)
}

// canned runs this program as the canned server and drives it like keytrail.
func canned(workers int, duration time.Duration) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	_ = l.Close() // only its free port was wanted
	self, err := os.Executable()
	if err != nil {
		return err
	}
	srv := exec.Command(self, "-canned", addr)
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }() // killed on purpose: its exit status is expected
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close() // the dial only showed that it listens
			break
		}
		if i > 100 {
			return fmt.Errorf("the canned server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return external("http://"+addr, srv.Process.Pid, workers, duration)
}

type result struct {
	ops           int
	elapsed       time.Duration
	p50, p99, cpu time.Duration
}

// drive runs call from workers goroutines for d and measures it.
func drive(pid, workers int, d time.Duration, call func() error) (result, error) {
	cpu0, err := cpuTime(pid)
	if err != nil {
		return result{}, err
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failed    atomic.Value
		wg        sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if err := call(); err != nil {
					failed.Store(err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err, ok := failed.Load().(error); ok {
		return result{}, err
	}
	cpu1, err := cpuTime(pid)
	if err != nil {
		return result{}, err
	}
	if len(latencies) == 0 {
		return result{}, fmt.Errorf("no operation completed")
	}
	slices.Sort(latencies)
	at := func(q float64) time.Duration { return latencies[min(len(latencies)-1, int(q*float64(len(latencies))))] }
	return result{ops: len(latencies), elapsed: elapsed, p50: at(0.50), p99: at(0.99), cpu: cpu1 - cpu0}, nil
}

// cpuTime is the user and system CPU time a process has used (/proc/<pid>/stat, in clock ticks
// of 1/100 s).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}
