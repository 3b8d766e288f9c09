//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// TestLakeDisabledKeyStoryCLI queries an event data store encrypted with a KMS key through both
// CLIs (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-queries-cli.html): the
// calls made after the store's creation are counted by a GROUP BY query; with the key disabled a
// query is refused with InsufficientEncryptionPolicyException, enabled again it runs to
// FINISHED; a user whose policies do not grant kms:Decrypt is refused the same way.
func TestLakeDisabledKeyStoryCLI(t *testing.T) {
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, t.TempDir())
			alice := c.newUser(t, s.url, root, "alice")
			c.ok(t, s.url, root, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "lake", "--policy-document", cloudTrailAdmin)
			// bob may use CloudTrail but is named neither in the key policy nor granted KMS.
			bob := c.newUser(t, s.url, root, "bob")
			c.ok(t, s.url, root, "iam", "put-user-policy", "--user-name", "bob", "--policy-name", "lake", "--policy-document", cloudTrailAdmin)
			user := strings.NewReplacer("account-id", account, "username", "alice").Replace(seedStoreUser)
			md := c.ok(t, s.url, root, "kms", "create-key", "--description", "event data store key", "--policy", keyPolicy(storeRootStmt, seedStoreEncrypt, user))
			keyID := str(md, "KeyMetadata", "KeyId")
			created := c.ok(t, s.url, alice, "cloudtrail", "create-event-data-store", "--name", "audit", "--kms-key-id", keyID)
			arn := str(created, "EventDataStoreArn")
			storeID := arn[strings.LastIndex(arn, "/")+1:]

			// Calls the store records: two ListKeys, one CreateUser.
			c.ok(t, s.url, root, "kms", "list-keys")
			c.ok(t, s.url, root, "kms", "list-keys")
			c.ok(t, s.url, root, "iam", "create-user", "--user-name", "carol")
			if sum := s.flush(t); sum["lake"].(map[string]any)["events"].(float64) < 3 {
				t.Fatalf("flush = %v", sum)
			}

			statement := "SELECT eventName, count(*) AS n FROM " + storeID + " GROUP BY eventName"
			first, counts := c.lakeQuery(t, s.url, alice, statement)
			if counts["ListKeys"] != "2" || counts["CreateUser"] != "1" {
				t.Fatalf("%s: %v", statement, counts)
			}

			// bob lacks kms:Decrypt (and GenerateDataKey) on the store's key.
			c.fails(t, s.url, bob, nil, "InsufficientEncryptionPolicyException", "cloudtrail", "start-query", "--query-statement", statement)

			c.ok(t, s.url, root, "kms", "disable-key", "--key-id", keyID)
			c.fails(t, s.url, alice, nil, "InsufficientEncryptionPolicyException", "cloudtrail", "start-query", "--query-statement", statement)
			// A finished query's results are the store's data too: refused while the key is disabled.
			c.fails(t, s.url, alice, nil, "InsufficientEncryptionPolicyException", "cloudtrail", "get-query-results", "--query-id", first)
			c.ok(t, s.url, root, "kms", "enable-key", "--key-id", keyID)
			if _, again := c.lakeQuery(t, s.url, alice, statement); again["ListKeys"] != "2" || again["CreateUser"] != "1" {
				t.Fatalf("after enable-key, %s: %v", statement, again)
			}
		})
	}
}

// lakeQuery runs a two-column query (a name, a count) with start-query, polls describe-query
// until it is FINISHED (at most 30 s) and returns the query's ID and get-query-results' rows as
// name → count.
func (c cli) lakeQuery(t *testing.T, url string, k keys, statement string) (string, map[string]string) {
	t.Helper()
	id := str(c.ok(t, url, k, "cloudtrail", "start-query", "--query-statement", statement), "QueryId")
	if id == "" {
		t.Fatalf("start-query %q answered no QueryId", statement)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		d := c.ok(t, url, k, "cloudtrail", "describe-query", "--query-id", id)
		status := str(d, "QueryStatus")
		if status == "FINISHED" {
			break
		}
		if status != "QUEUED" && status != "RUNNING" || time.Now().After(deadline) {
			t.Fatalf("describe-query %s = %v", id, d)
		}
	}
	res := c.ok(t, url, k, "cloudtrail", "get-query-results", "--query-id", id)
	if str(res, "QueryStatus") != "FINISHED" {
		t.Fatalf("get-query-results %s = %v", id, res)
	}
	got := map[string]string{}
	rows, _ := res["QueryResultRows"].([]any)
	for _, row := range rows {
		cols, _ := row.([]any)
		if len(cols) != 2 {
			t.Fatalf("get-query-results row %v: want two columns", row)
		}
		name, _ := cols[0].(map[string]any)
		n, _ := cols[1].(map[string]any)
		got[fmt.Sprint(name["eventName"])] = fmt.Sprint(n["n"])
	}
	return id, got
}

// TestLakeIngestionSurvivesKill9: keytrail is killed (kill -9) again and again while a flush
// ingests into two event data stores, one encrypted with a KMS key (its ingestion calls KMS and
// records those calls in the journal it reads). After each restart a store holds no event twice
// and none that was not made; after the last flush each holds every recorded call exactly once.
func TestLakeIngestionSurvivesKill9(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	s := startServer(t, data)
	trails := func(s *server) *cloudtrail.Client {
		return cloudtrail.New(cloudtrail.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), Credentials: rootCreds()})
	}
	keys := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), Credentials: rootCreds()})
	key, err := keys.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(storeRootStmt, seedStoreEncrypt))})
	if err != nil {
		t.Fatal(err)
	}
	var statements []string
	for _, in := range []*cloudtrail.CreateEventDataStoreInput{
		{Name: aws.String("plain")},
		{Name: aws.String("sealed"), KmsKeyId: key.KeyMetadata.Arn},
	} {
		created, err := trails(s).CreateEventDataStore(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		arn := aws.ToString(created.EventDataStoreArn)
		statements = append(statements, `SELECT count(*) AS n, count(DISTINCT eventID) AS ids, count(DISTINCT element_at(requestParameters, 'userName')) AS names
			FROM `+arn[strings.LastIndex(arn, "/")+1:]+` WHERE eventName = 'CreateUser' AND element_at(requestParameters, 'userName') LIKE 'crash-%'`)
	}
	const perRound = 100
	made := 0
	calls := func(s *server) {
		t.Helper()
		users := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), Credentials: rootCreds()})
		for i := 0; i < perRound; i++ {
			if _, err := users.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("crash-%05d", made))}); err != nil {
				t.Fatal(err)
			}
			made++
		}
	}
	check := func(s *server, when string, final bool) {
		t.Helper()
		for i, st := range statements {
			n := lakeCounts(t, trails(s), st)
			if n[0] != n[1] || n[0] != n[2] || n[0] > made || final && n[0] != made {
				t.Fatalf("%s, store %d: count, distinct eventID, distinct userName = %v; want equal and at most (finally exactly) %d", when, i, n, made)
			}
			t.Logf("%s, store %d: %d of %d calls ingested", when, i, n[0], made)
		}
	}

	// How long a flush of one round takes, so that the kills fall across it.
	calls(s)
	start := time.Now()
	s.flush(t)
	took := time.Since(start)
	check(s, "the first flush", true)
	// A finished query's results outlive the kills too (AWS keeps them for seven days).
	kept, err := trails(s).StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(statements[1])})
	if err != nil {
		t.Fatal(err)
	}
	keptCounts := queryCounts(t, trails(s), aws.ToString(kept.QueryId))

	// Each round's kill falls at another point: from before the request is read to after the
	// answer, whatever the point, the assertions hold.
	const rounds = 6
	for r := 0; r < rounds; r++ {
		calls(s)
		postFlush(t, s)
		time.Sleep(took * time.Duration(r) / (rounds - 2))
		s.kill()
		s = startServer(t, data)
		check(s, fmt.Sprintf("kill %d after %v (a flush takes %v)", r+1, took*time.Duration(r)/(rounds-2), took), false)
	}
	s.flush(t)
	check(s, "the last flush", true)
	if got := queryCounts(t, trails(s), aws.ToString(kept.QueryId)); got != keptCounts {
		t.Fatalf("query %s after %d kills: %v, before %v", aws.ToString(kept.QueryId), rounds, got, keptCounts)
	}
}

// lakeCounts runs a query of one row of three counts with the SDK, waits until it is FINISHED
// (at most 30 s) and returns the counts.
func lakeCounts(t *testing.T, client *cloudtrail.Client, statement string) [3]int {
	t.Helper()
	q, err := client.StartQuery(context.Background(), &cloudtrail.StartQueryInput{QueryStatement: aws.String(statement)})
	if err != nil {
		t.Fatal(err)
	}
	return queryCounts(t, client, aws.ToString(q.QueryId))
}

// queryCounts waits until a query of one row of three counts is FINISHED (at most 30 s) and
// returns the counts.
func queryCounts(t *testing.T, client *cloudtrail.Client, id string) [3]int {
	t.Helper()
	ctx := context.Background()
	var res *cloudtrail.GetQueryResultsOutput
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		res, err = client.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if res.QueryStatus == cttypes.QueryStatusFinished {
			break
		}
		if res.QueryStatus != cttypes.QueryStatusQueued && res.QueryStatus != cttypes.QueryStatusRunning || time.Now().After(deadline) {
			t.Fatalf("GetQueryResults: %s %s", res.QueryStatus, aws.ToString(res.ErrorMessage))
		}
	}
	if len(res.QueryResultRows) != 1 || len(res.QueryResultRows[0]) != 3 {
		t.Fatalf("rows = %v", res.QueryResultRows)
	}
	var n [3]int
	for i, col := range res.QueryResultRows[0] {
		for name, v := range col {
			if n[i], err = strconv.Atoi(v); err != nil {
				t.Fatalf("column %s = %q", name, v)
			}
		}
	}
	return n
}

// postFlush sends POST /_keytrail/flush and returns as soon as the request is written, without
// waiting for the answer.
func postFlush(t *testing.T, s *server) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := fmt.Fprintf(conn, "POST /_keytrail/flush HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\n\r\n", strings.TrimPrefix(s.url, "http://")); err != nil {
		t.Fatal(err)
	}
}
