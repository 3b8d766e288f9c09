//go:build cgo

package engine_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/lake/engine"
	"github.com/keytrail/keytrail/internal/request"
)

const (
	account  = "111122223333"
	storeID  = "a1b2c3d4-5678-4e8f-8bd1-bcf6c0e2a9f1"
	other    = "b2c3d4e5-6789-4f90-9ce2-cd07d1f3b0a2"
	aliceARN = "arn:aws:iam::111122223333:user/alice"
	keyARN   = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

var (
	alice = events.Identity{Type: "IAMUser", PrincipalID: "AIDAALICE", ARN: aliceARN, AccountID: account,
		AccessKeyID: "AKIAALICE", UserName: "alice"}
	auditor = events.Identity{Type: "AssumedRole", PrincipalID: "AROAAUDITOR:bob",
		ARN: "arn:aws:sts::111122223333:assumed-role/Auditor/bob", AccountID: account, AccessKeyID: "ASIABOB",
		RoleARN: "arn:aws:iam::111122223333:role/Auditor", RoleID: "AROAAUDITOR", RoleName: "Auditor",
		SessionIssued: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).Unix()}
	root = events.Identity{Type: "Root", PrincipalID: account, ARN: "arn:aws:iam::111122223333:root",
		AccountID: account}
)

// fixture is six events over three days in the record format keytrail writes: KMS calls by a user
// and (denied) by a role session, an IAM change by root, an S3 data event and a Lake query.
func fixture() [][]byte {
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	key := []request.Resource{{Type: "AWS::KMS::Key", ARN: keyARN, Account: account}}
	evs := []events.Event{
		{Time: at("2026-11-30T10:00:00Z"), ID: "e1", RequestID: "r1", Source: "kms.amazonaws.com", Name: "Decrypt",
			Region: "us-east-1", SourceIP: "192.0.2.1", UserAgent: "aws-cli/2", ReadOnly: true, Management: true,
			Identity: alice, Resources: key,
			Params: []byte(`{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"purpose":"lake"}}`)},
		{Time: at("2026-11-30T11:30:00Z"), ID: "e2", RequestID: "r2", Source: "kms.amazonaws.com",
			Name: "GenerateDataKey", Region: "us-east-1", SourceIP: "192.0.2.1", UserAgent: "aws-cli/2",
			ReadOnly: true, Management: true, Identity: alice, Resources: key,
			Params: []byte(`{"keyId":"alias/lake","keySpec":"AES_256","numberOfBytes":32}`)},
		{Time: at("2026-12-01T09:15:00Z"), ID: "e3", RequestID: "r3", Source: "kms.amazonaws.com", Name: "Decrypt",
			Region: "eu-west-1", SourceIP: "198.51.100.7", UserAgent: "Boto3/1.40", ReadOnly: true,
			Management: true, Identity: auditor, Resources: key,
			ErrorCode: "AccessDeniedException", ErrorMessage: "User is not authorized to perform: kms:Decrypt"},
		{Time: at("2026-12-01T12:00:00Z"), ID: "e4", RequestID: "r4", Source: "iam.amazonaws.com",
			Name: "CreateUser", Region: "us-east-1", SourceIP: "192.0.2.9", UserAgent: "console", Management: true,
			Identity: root, Params: []byte(`{"userName":"carol"}`),
			Response: []byte(`{"user":{"userName":"carol","arn":"arn:aws:iam::111122223333:user/carol"}}`)},
		{Time: at("2026-12-02T08:00:00Z"), ID: "e5", RequestID: "r5", Source: "s3.amazonaws.com", Name: "GetObject",
			Region: "us-east-1", SourceIP: "192.0.2.1", UserAgent: "aws-cli/2", ReadOnly: true, Identity: alice,
			Params: []byte(`{"bucketName":"logs","key":"a.txt"}`),
			Resources: []request.Resource{{Type: "AWS::S3::Object", ARN: "arn:aws:s3:::logs/a.txt"},
				{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::logs", Account: account}}},
		{Time: at("2026-12-02T08:05:00Z"), ID: "e6", RequestID: "r6", Source: "cloudtrail.amazonaws.com",
			Name: "StartQuery", Region: "us-east-1", SourceIP: "192.0.2.1", UserAgent: "aws-cli/2", Management: true,
			Identity: alice, Params: []byte(`{"queryStatement":"SELECT 1"}`), Response: []byte(`{"queryId":"q-1"}`)},
	}
	out := make([][]byte, len(evs))
	for i := range evs {
		evs[i].Recipients = []string{account}
		out[i] = evs[i].AppendRecord(nil, account)
	}
	return out
}

// now is the engine's clock in these tests.
var now = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

func open(t testing.TB) *engine.Engine {
	t.Helper()
	e, err := engine.Open(engine.Config{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if err := e.Load(context.Background(), storeID, fixture()); err != nil {
		t.Fatal(err)
	}
	return e
}

// table is a result as JSON: columns, then rows (null for NULL).
func table(r *engine.Result) string {
	b, _ := json.Marshal(append([]any{r.Columns}, rowsAny(r.Rows)...))
	return string(b)
}

func rowsAny(rows [][]*string) []any {
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = r
	}
	return out
}

// TestSampleQueries runs queries in the shapes of AWS's published examples over the fixture and
// checks each result exactly, column names and value text included.
func TestSampleQueries(t *testing.T) {
	e := open(t)
	cases := []struct{ name, sql, want string }{
		{"top callers: dereference names the column, alias keeps its case",
			`SELECT userIdentity.arn, COUNT(*) AS apiCount FROM $ID WHERE eventTime > '2026-11-30 00:00:00'
			 GROUP BY userIdentity.arn ORDER BY 2 DESC, 1`,
			`[["arn","apiCount"],["` + aliceARN + `","4"],["arn:aws:iam::111122223333:root","1"],` +
				`["arn:aws:sts::111122223333:assumed-role/Auditor/bob","1"]]`},
		{"unaliased expression is _colN; timestamps with milliseconds",
			`SELECT element_at(responseElements, 'queryId'), eventTime FROM $ID WHERE eventName = 'StartQuery'`,
			`[["_col0","eventTime"],["q-1","2026-12-02 08:05:00.000"]]`},
		{"nested JSON in a map value, first resource",
			`SELECT json_extract_scalar(element_at(requestParameters, 'encryptionContext'), '$.purpose') AS purpose,
			 element_at(resources, 1).arn, element_at(requestParameters, 'encryptionContext') AS ctx
			 FROM $ID WHERE eventName = 'Decrypt' AND errorCode IS NULL`,
			`[["purpose","arn","ctx"],["lake","` + keyARN + `","{\"purpose\":\"lake\"}"]]`},
		{"numbers in requestParameters are text",
			`SELECT element_at(requestParameters, 'numberOfBytes') AS n, requestParameters['keySpec'] AS spec
			 FROM $ID WHERE eventName = 'GenerateDataKey'`,
			`[["n","spec"],["32","AES_256"]]`},
		{"CROSS JOIN UNNEST of resources",
			`SELECT eventName, r.type FROM $ID CROSS JOIN UNNEST(resources) AS t(r)
			 WHERE eventSource = 's3.amazonaws.com' ORDER BY 2`,
			`[["eventName","type"],["GetObject","AWS::S3::Bucket"],["GetObject","AWS::S3::Object"]]`},
		{"comma UNNEST expands row fields as Trino does",
			`SELECT eventName, rt.arn FROM $ID, UNNEST(resources) AS rt WHERE eventName = 'GetObject' ORDER BY 2`,
			`[["eventName","arn"],["GetObject","arn:aws:s3:::logs"],["GetObject","arn:aws:s3:::logs/a.txt"]]`},
		{"lambdas: transform and any_match",
			`SELECT eventName, transform(resources, x -> x.type) AS types FROM $ID
			 WHERE any_match(resources, x -> x.type = 'AWS::S3::Object')`,
			`[["eventName","types"],["GetObject","[AWS::S3::Object, AWS::S3::Bucket]"]]`},
		{"denied calls with the session issuer",
			`SELECT eventName, errorCode, userIdentity.sessionContext.sessionIssuer.userName, awsRegion
			 FROM $ID WHERE errorCode = 'AccessDeniedException'`,
			`[["eventName","errorCode","userName","awsRegion"],["Decrypt","AccessDeniedException","Auditor","eu-west-1"]]`},
		{"events per day",
			`SELECT date(eventTime) AS day, count(*) AS n FROM $ID GROUP BY 1 ORDER BY 1`,
			`[["day","n"],["2026-11-30","2"],["2026-12-01","2"],["2026-12-02","2"]]`},
		{"Trino's date_add over the engine clock",
			`SELECT count(*) FROM $ID WHERE eventTime > date_add('day', -1, now())`,
			`[["_col0"],["2"]]`},
		{"rows, maps and arrays in Trino's text form; NULL is null",
			`SELECT userIdentity.sessionContext.sessionIssuer, requestParameters, map_keys(requestParameters) AS k,
			 userIdentity.sessionContext.attributes.creationDate AS created, errorMessage
			 FROM $ID WHERE eventName = 'CreateUser' OR errorCode IS NOT NULL ORDER BY eventTime`,
			`[["sessionIssuer","requestParameters","k","created","errorMessage"],` +
				`["{type=Role, principalid=AROAAUDITOR, arn=arn:aws:iam::111122223333:role/Auditor, accountid=111122223333, username=Auditor}",` +
				`null,null,"2026-12-01 09:00:00.000","User is not authorized to perform: kms:Decrypt"],` +
				`[null,"{userName=carol}","[userName]",null,null]]`},
		{"a store named by its ARN; booleans and doubles",
			`SELECT readOnly, avg(CAST(length(eventName) AS double)) AS l
			 FROM arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/` + storeID + `
			 GROUP BY readOnly ORDER BY readOnly`,
			`[["readOnly","l"],["false","10.0"],["true","9.5"]]`},
		{"CTE and subquery",
			`WITH kms AS (SELECT * FROM $ID WHERE eventSource = 'kms.amazonaws.com')
			 SELECT eventName, count(*) AS n FROM kms WHERE eventTime IN (SELECT eventTime FROM kms)
			 GROUP BY eventName ORDER BY n DESC`,
			`[["eventName","n"],["Decrypt","2"],["GenerateDataKey","1"]]`},
		{"CAST of JSON to varchar drops the quotes, as Trino",
			`SELECT CAST(json_extract(element_at(responseElements, 'user'), '$.userName') AS varchar) AS u FROM $ID
			 WHERE eventName = 'CreateUser'`,
			`[["u"],["carol"]]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := e.Query(context.Background(), strings.ReplaceAll(c.sql, "$ID", storeID), nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, table(res)); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatistics(t *testing.T) {
	e := open(t)
	res, err := e.Query(context.Background(), `SELECT eventName FROM `+storeID+` WHERE readOnly`, nil)
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	for _, r := range fixture() {
		size += int64(len(r))
	}
	got := res.Stats
	got.ExecutionTime = 0
	if want := (engine.Stats{ResultsCount: 4, EventsScanned: 6, BytesScanned: size}); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	if res.Stats.ExecutionTime <= 0 {
		t.Errorf("execution time %v", res.Stats.ExecutionTime)
	}
}

// TestAllowed: the caller's check sees every store a query names, once, by ID; its refusal is
// returned unchanged; a store it allows without events reads as empty.
func TestAllowed(t *testing.T) {
	e := open(t)
	var asked []string
	errDenied := errors.New("InsufficientEncryptionPolicyException")
	allowed := func(id string) error {
		asked = append(asked, id)
		if id == other {
			return errDenied
		}
		return nil
	}
	q := `SELECT a.eventName FROM ` + storeID + ` a JOIN arn:aws:cloudtrail:eu-west-1:111122223333:eventdatastore/` +
		storeID + ` b ON a.eventID = b.eventID UNION ALL SELECT eventName FROM "` + other + `"`
	if _, err := e.Query(context.Background(), q, allowed); !errors.Is(err, errDenied) {
		t.Fatalf("err = %v, want the caller's refusal", err)
	}
	if diff := cmp.Diff([]string{storeID, other}, asked); diff != "" {
		t.Errorf("asked (-want +got):\n%s", diff)
	}
	st, err := e.Prepare(context.Background(), `SELECT 1 FROM `+storeID+` JOIN "`+other+`" ON true`, func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{storeID, other}, st.Stores()); diff != "" {
		t.Errorf("Stores (-want +got):\n%s", diff)
	}
	empty := "c3d4e5f6-7890-4a01-8df3-de18e2a4c1b3"
	res, err := e.Query(context.Background(), `SELECT count(*) AS n FROM `+empty, func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if got := table(res); got != `[["n"],["0"]]` {
		t.Errorf("empty store: %s", got)
	}
}

// TestRefused: anything but a single SELECT over the named stores is refused before it runs, with
// a message that says why.
func TestRefused(t *testing.T) {
	e := open(t)
	if err := e.Load(context.Background(), other, fixture()[:1]); err != nil {
		t.Fatal(err)
	}
	onlyStore := func(id string) error {
		if id != storeID {
			return errors.New("EventDataStoreNotFoundException")
		}
		return nil
	}
	cases := []struct{ name, sql, want string }{
		{"two statements", `SELECT 1 FROM $ID; SELECT 2 FROM $ID`, "single SELECT statement"},
		{"INSERT", `INSERT INTO $ID SELECT * FROM $ID`, "single SELECT"},
		{"DELETE", `DELETE FROM $ID`, "single SELECT"},
		{"syntax error", `SELECT eventName FROM $ID WHERE`, "syntax error"},
		{"syntax error at the store", `SELECT eventName FROM $ID $ID`, "syntax error"},
		{"no store", `SELECT 1`, "reads no event data store"},
		{"a file", `SELECT * FROM $ID, read_csv('/etc/passwd')`, "table function read_csv"},
		{"a catalog table", `SELECT * FROM $ID JOIN information_schema.tables ON true`, `"information_schema.tables"`},
		{"another store's table, written out", `SELECT * FROM $ID UNION ALL SELECT * FROM lake.eds_` + hexID(other),
			`"lake.eds_` + hexID(other) + `"`},
		{"another store's table, in capitals", `SELECT * FROM $ID UNION ALL SELECT * FROM lake.EDS_` +
			strings.ToUpper(hexID(storeID)), `"lake.EDS_`},
		{"an unknown table", `SELECT * FROM cloudtrail_logs`, "reads no event data store"},
		{"a CTE name out of its scope", `SELECT * FROM $ID, (WITH duckdb_tables AS (SELECT 1) SELECT 1) s, duckdb_tables`,
			`"duckdb_tables"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.Query(context.Background(), strings.ReplaceAll(c.sql, "$ID", storeID), onlyStore)
			if !errors.Is(err, engine.ErrInvalidStatement) {
				t.Fatalf("err = %v, want ErrInvalidStatement", err)
			}
			if strings.Contains(err.Error(), hexID(storeID)) {
				t.Errorf("err = %q names the engine's table", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %q, want it to say %q", err, c.want)
			}
		})
	}
}

func hexID(id string) string { return hex.EncodeToString([]byte(id)) }

// TestStoreIDCase: store IDs that differ only in case are different stores.
func TestStoreIDCase(t *testing.T) {
	e := open(t)
	upper := strings.ToUpper(storeID)
	if err := e.Load(context.Background(), upper, fixture()[:2]); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{storeID: "6", upper: "2"} {
		res, err := e.Query(context.Background(), `SELECT count(*) FROM `+id, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := *res.Rows[0][0]; got != want {
			t.Errorf("%s: %s events, want %s", id, got, want)
		}
	}
}

func TestUnknownStore(t *testing.T) {
	e := open(t)
	_, err := e.Query(context.Background(), `SELECT * FROM `+other, nil)
	if !errors.Is(err, engine.ErrStoreNotFound) || !strings.Contains(err.Error(), other) {
		t.Errorf("err = %v, want ErrStoreNotFound naming %s", err, other)
	}
}

// TestFailed: a valid SELECT that does not bind or fails while running is ErrQueryFailed, with
// DuckDB's message naming the store rather than the engine's table.
func TestFailed(t *testing.T) {
	e := open(t)
	for sql, want := range map[string]string{
		`SELECT nosuchcolumn FROM $ID`:                        `"nosuchcolumn" not found`,
		`SELECT CAST(eventName AS integer) FROM $ID`:          "Could not convert string 'Decrypt'",
		`SELECT eventName FROM $ID WHERE eventTime > 'never'`: "never",
	} {
		_, err := e.Query(context.Background(), strings.ReplaceAll(sql, "$ID", storeID), nil)
		if !errors.Is(err, engine.ErrQueryFailed) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want ErrQueryFailed saying %q", sql, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "lake.") {
			t.Errorf("%s: err = %v names the engine's table", sql, err)
		}
	}
}

func TestLoadRejectsBadRecords(t *testing.T) {
	e := open(t)
	bad := [][]byte{fixture()[0], []byte(`{"eventName":"x"}`)}
	if err := e.Load(context.Background(), storeID, bad); err == nil || !strings.Contains(err.Error(), "record 1") {
		t.Fatalf("err = %v, want record 1 refused", err)
	}
	res, err := e.Query(context.Background(), `SELECT count(*) FROM `+storeID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := table(res); got != `[["_col0"],["6"]]` {
		t.Errorf("after a refused load: %s, want the six events only", got)
	}
}

func TestDrop(t *testing.T) {
	e := open(t)
	if err := e.Drop(context.Background(), storeID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Query(context.Background(), `SELECT * FROM `+storeID, nil); !errors.Is(err, engine.ErrStoreNotFound) {
		t.Errorf("after Drop: %v", err)
	}
}

// TestCancel: cancelling the context interrupts a running query, which returns the context's error,
// and the engine goes on serving queries.
func TestCancel(t *testing.T) {
	e := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	// Thirteen copies of the six events cross-joined: 6^13 rows, minutes of work if not interrupted.
	heavy := `SELECT count(*) FROM $ID a, $ID b, $ID c, $ID d, $ID f, $ID g, $ID h, $ID i, $ID j, $ID k,
		$ID l, $ID m, $ID n WHERE a.eventName || b.eventName || c.eventName || d.eventName LIKE '%x%'`
	st, err := e.Prepare(ctx, strings.ReplaceAll(heavy, "$ID", storeID), nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := st.Run(ctx)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := e.Query(context.Background(), `SELECT count(*) FROM `+storeID, nil); err != nil {
		t.Errorf("after a cancelled query: %v", err)
	}
}

var update = flag.Bool("update", false, "rewrite testdata/engine-fixture.jsonl from fixture()")

// TestFixtureFile keeps testdata/engine-fixture.jsonl, the fixture of the 9xx corpus files, equal
// to the fixture these tests build with the recorder's own rendering (go test -update rewrites it).
func TestFixtureFile(t *testing.T) {
	want := append(bytes.Join(fixture(), []byte("\n")), '\n')
	path := filepath.Join("testdata", "engine-fixture.jsonl")
	if *update {
		if err := os.WriteFile(path, want, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s is stale (go test -update rewrites it):\n%s", path, diff)
	}
}

// TestTrinoFunctions: Trino functions and syntax the published queries use give Trino's results
// (https://trino.io/docs/current/functions.html), through the rewrites and the macro prelude.
func TestTrinoFunctions(t *testing.T) {
	e := open(t)
	null := "<null>"
	for expr, want := range map[string]string{
		`json_extract_scalar('{"aws:cloudtrail:arn":"x"}', '$["aws:cloudtrail:arn"]')`:        "x",
		`json_extract_scalar('{"a":{"b":1}}', '$.a')`:                                         null,
		`json_extract_scalar('{"a":{"b":1}}', '$.a.b')`:                                       "1",
		`json_extract('{"a":{"b":1}}', '$.a')`:                                                `{"b":1}`,
		`CAST(json_extract('{"a":"x"}', '$.a') AS varchar)`:                                   "x",
		`json_array_get('[1,2,3]', 1)`:                                                        "2",
		`json_format(json_parse('{"a":1}'))`:                                                  `{"a":1}`,
		`date_diff('day', timestamp '2024-01-01 23:00:00', timestamp '2024-01-02 01:00:00')`:  "0",
		`date_diff('hour', timestamp '2024-01-01 23:00:00', timestamp '2024-01-02 01:30:00')`: "2",
		`date_add('hour', 2, timestamp '2024-01-01 23:00:00')`:                                "2024-01-02 01:00:00.000",
		`date_add('month', 1, timestamp '2024-01-31 00:00:00')`:                               "2024-02-29 00:00:00.000",
		`day_of_week(timestamp '2024-01-07 00:00:00')`:                                        "7",
		`date(timestamp '2024-01-02 03:00:00')`:                                               "2024-01-02",
		`from_iso8601_timestamp('2024-01-01T10:00:00Z')`:                                      "2024-01-01 10:00:00.000",
		`from_unixtime(0)`: "1970-01-01 00:00:00.000",
		`to_unixtime(timestamp '2024-01-01 00:00:00')`:       "1.7040672E9",
		`slice(ARRAY[1, 2, 3, 4], 2, 2)`:                     "[2, 3]",
		`array_join(ARRAY['a', 'b'], ',')`:                   "a,b",
		`split('a,b', ',')`:                                  "[a, b]",
		`replace('a-b-c', '-')`:                              "abc",
		`regexp_like('abc', 'b')`:                            "true",
		`element_at(ARRAY[1, 2, 3], -1)`:                     "3",
		`element_at(MAP(ARRAY['k'], ARRAY['v']), 'gone')`:    null,
		`cardinality(ARRAY[1, 2])`:                           "2",
		`any_match(ARRAY[1, 2], x -> x > 1)`:                 "true",
		`all_match(ARRAY[1, 2], x -> x > 1)`:                 "false",
		`none_match(ARRAY[1, 2], x -> x > 5)`:                "true",
		`transform(ARRAY[1, 2], x -> x * 2)`:                 "[2, 4]",
		`filter(ARRAY[1, 2, 3], x -> x > 1)`:                 "[2, 3]",
		`CAST(10 AS double) / 4`:                             "2.5",
		`CAST(1 AS decimal(5, 2))`:                           "1.00",
		`approx_distinct(eventName)`:                         "1",
		`year(eventTime)`:                                    "2026",
		`CAST(eventTime AS varchar)`:                         "2026-11-30 10:00:00",
		`eventTime < '2026-11-30T10:00:01Z'`:                 "true",
		`if(readOnly, 'r', 'w')`:                             "r",
		`userIdentity.sessionContext IS NULL`:                "true",
		`element_at(requestParameters, 'encryptionContext')`: `{"purpose":"lake"}`,
	} {
		res, err := e.Query(context.Background(), `SELECT `+expr+` AS v FROM `+storeID+` WHERE eventID = 'e1'`, nil)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		got := null
		if v := res.Rows[0][0]; v != nil {
			got = *v
		}
		if got != want {
			t.Errorf("%s = %s, want %s", expr, got, want)
		}
	}
}

// TestRecordFields: fields the recorder does not write but imported trail logs carry (tag
// context, additional event data, web identity federation, TLS details) load with their types.
func TestRecordFields(t *testing.T) {
	e := open(t)
	record := `{"eventVersion":"1.09","userIdentity":{"type":"WebIdentityUser","principalId":"p","userName":"u",
		"identityProvider":"accounts.google.com","sessionContext":{"webIdFederationData":{"federatedProvider":
		"accounts.google.com","attributes":{"aud":"app"}},"attributes":{"creationDate":"2026-01-01T00:00:00Z",
		"mfaAuthenticated":false},"sourceIdentity":"src"},"onBehalfOf":{"userId":"u-1","identityStoreArn":"arn:is"}},
		"eventTime":"2026-01-01T01:02:03.456Z","eventSource":"s3.amazonaws.com","eventName":"PutObject",
		"additionalEventData":{"bytesTransferredIn":12,"x-amz-id-2":"abc","AuthenticationMethod":"AuthHeader"},
		"sessionCredentialFromConsole":"true","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256",
		"clientProvidedHostHeader":"b.s3.amazonaws.com"},"eventContext":{"tagContext":{"principalTags":{"team":"ops"},
		"resourceTags":[{"arn":"arn:aws:s3:::b","tags":{"env":"prod"}}]}},"resources":[{"ARN":"arn:aws:s3:::b",
		"type":"AWS::S3::Bucket","arnPrefix":"arn:aws:s3:::"}],"managementEvent":false,"eventCategory":"Data"}`
	if err := e.Load(context.Background(), other, [][]byte{[]byte(record)}); err != nil {
		t.Fatal(err)
	}
	res, err := e.Query(context.Background(), `SELECT eventTime, userIdentity.identityProvider,
		userIdentity.sessionContext.webIdFederationData.attributes['aud'] AS aud,
		userIdentity.sessionContext.attributes.mfaAuthenticated AS mfa, userIdentity.onBehalfOf.userId,
		additionalEventData['bytesTransferredIn'] AS bytesIn, sessionCredentialFromConsole, tlsDetails.tlsVersion,
		eventContext.tagContext.principalTags['team'] AS team, element_at(eventContext.tagContext.resourceTags, 1).tags,
		element_at(resources, 1).arnPrefix, managementEvent, eventVersion, eventJson IS NOT NULL AS raw
		FROM `+other, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `[["eventTime","identityProvider","aud","mfa","userId","bytesIn","sessionCredentialFromConsole",` +
		`"tlsVersion","team","tags","arnPrefix","managementEvent","eventVersion","raw"],` +
		`["2026-01-01 01:02:03.456","accounts.google.com","app","false","u-1","12","true","TLSv1.3","ops",` +
		`"{env=prod}","arn:aws:s3:::","false","1.09","true"]]`
	if diff := cmp.Diff(want, table(res)); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// TestPurge: retention deletes the events before a time and the statistics follow.
func TestPurge(t *testing.T) {
	e := open(t)
	n, err := e.Purge(context.Background(), storeID, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	if err != nil || n != 3 {
		t.Fatalf("Purge = %d, %v; want 3 events", n, err)
	}
	res, err := e.Query(context.Background(), `SELECT eventID FROM `+storeID+` ORDER BY eventTime`, nil)
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	for _, r := range fixture()[3:] {
		size += int64(len(r))
	}
	if got := table(res); got != `[["eventID"],["e4"],["e5"],["e6"]]` {
		t.Errorf("after Purge: %s", got)
	}
	if res.Stats.EventsScanned != 3 || res.Stats.BytesScanned != size {
		t.Errorf("stats %+v, want 3 events of %d bytes", res.Stats, size)
	}
	if n, err := e.Purge(context.Background(), "c3d4e5f6-7890-4a01-8df3-de18e2a4c1b3", time.Now()); n != 0 || err != nil {
		t.Errorf("Purge of an unknown store = %d, %v", n, err)
	}
}

// TestMemoryLimit: a query beyond the engine's memory fails with Lake's message for it.
func TestMemoryLimit(t *testing.T) {
	e, err := engine.Open(engine.Config{MemoryLimit: 32 << 20, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.Load(context.Background(), storeID, fixture()); err != nil {
		t.Fatal(err)
	}
	// Every eventJSON of six copies of the store cross-joined, gathered into one list per name.
	q := `SELECT a.eventName, list(a.eventJson || b.eventJson || c.eventJson || d.eventJson || f.eventJson || g.eventJson)
		FROM $ID a, $ID b, $ID c, $ID d, $ID f, $ID g GROUP BY 1`
	_, err = e.Query(context.Background(), strings.ReplaceAll(q, "$ID", storeID), nil)
	if !errors.Is(err, engine.ErrQueryFailed) || !strings.Contains(err.Error(), "Query exhausted resources") {
		t.Errorf("err = %v, want Query exhausted resources", err)
	}
}

// TestConcurrent: queries run while events load into the same store; each sees a whole number of
// loads (a load is one transaction) and the last count is every event.
func TestConcurrent(t *testing.T) {
	e := open(t)
	const loads, queriers = 20, 4
	done := make(chan error, queriers+1)
	go func() {
		for range loads {
			if err := e.Load(context.Background(), storeID, fixture()); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range queriers {
		go func() {
			for range 10 {
				res, err := e.Query(context.Background(), `SELECT count(*) FROM `+storeID, nil)
				if err != nil {
					done <- err
					return
				}
				if n, _ := strconv.Atoi(*res.Rows[0][0]); n%6 != 0 {
					done <- fmt.Errorf("a query saw %d events, part of a load", n)
					return
				}
			}
			done <- nil
		}()
	}
	for range queriers + 1 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	res, err := e.Query(context.Background(), `SELECT count(*) FROM `+storeID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *res.Rows[0][0], strconv.Itoa(6*(loads+1)); got != want {
		t.Errorf("%s events, want %s", got, want)
	}
}

// An engine starts DuckDB only when it is first used: dropping a store or closing an engine
// never used does not start it, and the first Load does.
func TestEngineStartsOnFirstUse(t *testing.T) {
	e, err := engine.Open(engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Drop(context.Background(), "unused"); err != nil {
		t.Fatalf("Drop before the engine started: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close of an engine never started: %v", err)
	}
	if err := e.Load(context.Background(), "late", nil); err == nil {
		t.Fatal("Load after Close started the engine")
	}
}
