package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// storeRow is an event data store of the Lake's list.
type storeRow struct {
	ID, Name, Arn, Status string
	Retention             int32
	MultiRegion           bool
	KmsKeyID              string
	Created               time.Time
	Error                 *apiError // GetEventDataStore refused
}

// lakeData is the Lake's event data stores page.
type lakeData struct {
	Stores   []storeRow
	NoEngine string // why this build runs no query, "" when it does
}

// storeID is the ID of an event data store ARN, the last part of …:eventdatastore/<id>.
func storeID(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// listStores lists the region's event data stores (ListEventDataStores, every page).
func listStores(ctx context.Context, ct *cloudtrail.Client) ([]storeRow, error) {
	var rows []storeRow
	in := &cloudtrail.ListEventDataStoresInput{}
	for {
		out, err := ct.ListEventDataStores(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, s := range out.EventDataStores {
			arn := aws.ToString(s.EventDataStoreArn)
			rows = append(rows, storeRow{ID: storeID(arn), Name: aws.ToString(s.Name), Arn: arn})
		}
		if out.NextToken == nil {
			return rows, nil
		}
		in.NextToken = out.NextToken
	}
}

// lakeStores lists the Lake's event data stores as the signed-in identity, with their details
// (GetEventDataStore: ListEventDataStores no longer returns them), as the CloudTrail console's Lake → Event data stores page
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-event-data-store-cloudtrail.html).
func (c *Console) lakeStores(w http.ResponseWriter, r *http.Request, ss *session) {
	data := &lakeData{NoEngine: noEngine}
	p := &page{Title: "CloudTrail Lake: event data stores", Session: ss, Data: data}
	p.CLI = []cliCommand{c.regional(r, "List the event data stores", "cloudtrail", "list-event-data-stores")}
	ct := c.clientsFor(r, ss).cloudtrail()
	rows, err := listStores(r.Context(), ct)
	if err != nil {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "lake", p)
		return
	}
	for i := range rows {
		d, err := ct.GetEventDataStore(r.Context(), &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(rows[i].Arn)})
		if err != nil {
			rows[i].Error = c.explained(ss, err)
			continue
		}
		rows[i].Status, rows[i].Retention, rows[i].MultiRegion = string(d.Status), aws.ToInt32(d.RetentionPeriod), aws.ToBool(d.MultiRegionEnabled)
		rows[i].KmsKeyID, rows[i].Created = aws.ToString(d.KmsKeyId), aws.ToTime(d.CreatedTimestamp)
	}
	data.Stores = rows
	c.render(w, http.StatusOK, "lake", p)
}

// storeForm is the Create event data store form, as sent and as shown again with its error.
type storeForm struct {
	Name, Retention, Encryption, Alias string
	UseKMS, TerminationProtection      bool
	FormError                          string
}

// lakeCreatePage is the Create event data store form with the console's defaults: retention
// 366 days (extendable retention pricing), termination protection on, CloudTrail's own
// encryption unless "Use my own AWS KMS key" is ticked.
func (c *Console) lakeCreatePage(w http.ResponseWriter, _ *http.Request, ss *session) {
	p := &page{Title: "Create event data store", Session: ss,
		Data: &storeForm{Retention: "366", Encryption: "new", TerminationProtection: true}}
	c.render(w, http.StatusOK, "lakecreate", p)
}

var aliasName = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)

// lakeCreate creates an event data store. With "Use my own AWS KMS key", New creates a key
// with the key policy the CloudTrail console writes for an event data store and the alias
// entered, Existing takes the key entered
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/default-kms-key-policy.html).
func (c *Console) lakeCreate(w http.ResponseWriter, r *http.Request, ss *session) {
	f := &storeForm{Name: strings.TrimSpace(r.PostFormValue("name")), Retention: strings.TrimSpace(r.PostFormValue("retention")),
		Encryption: r.PostFormValue("encryption"), Alias: strings.TrimSpace(r.PostFormValue("alias")),
		UseKMS: r.PostFormValue("usekms") == "on", TerminationProtection: r.PostFormValue("termination") == "on"}
	p := &page{Title: "Create event data store", Session: ss, Data: f}
	days, err := strconv.ParseInt(f.Retention, 10, 32)
	switch {
	case f.Name == "":
		f.FormError = "Enter a name for the event data store."
	case err != nil || days < 7 || days > 3653:
		f.FormError = "The retention period is a number of days from 7 to 3653."
	case f.UseKMS && f.Encryption == "new" && !aliasName.MatchString(f.Alias):
		f.FormError = "Enter an alias for the new key: alias/ followed by letters, digits, /, _ or -."
	case f.UseKMS && f.Encryption != "new" && f.Alias == "":
		f.FormError = "Enter the existing key: its alias (alias/…), key ID or ARN."
	}
	if f.FormError != "" {
		c.render(w, http.StatusOK, "lakecreate", p)
		return
	}
	in := &cloudtrail.CreateEventDataStoreInput{Name: aws.String(f.Name), RetentionPeriod: aws.Int32(int32(days)),
		TerminationProtectionEnabled: aws.Bool(f.TerminationProtection)}
	create := []string{"cloudtrail", "create-event-data-store", "--name", f.Name, "--retention-period", f.Retention}
	if !f.TerminationProtection {
		create = append(create, "--no-termination-protection-enabled")
	}
	ctx := r.Context()
	cl := c.clientsFor(r, ss)
	if f.UseKMS {
		if f.Encryption == "new" {
			policy := storeKeyPolicy(ss.who.Account, ss.who.ARN, c.now())
			p.CLI = append(p.CLI,
				c.regional(r, "Create the key with the event data store key policy", "kms", "create-key", "--description", "The key created by CloudTrail to encrypt event data stores", "--policy", policy),
				c.regional(r, "Name it", "kms", "create-alias", "--alias-name", f.Alias, "--target-key-id", "<the new key's ID>"))
			key, err := cl.kms().CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("The key created by CloudTrail to encrypt event data stores"), Policy: aws.String(policy)})
			if err != nil {
				p.Error = c.errorOf(err)
				c.render(w, http.StatusOK, "lakecreate", p)
				return
			}
			if _, err := cl.kms().CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(f.Alias), TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
				p.Error = c.errorOf(err)
				c.render(w, http.StatusOK, "lakecreate", p)
				return
			}
		}
		in.KmsKeyId = aws.String(f.Alias)
		create = append(create, "--kms-key-id", f.Alias)
	}
	p.CLI = append(p.CLI, c.regional(r, "Create the event data store", create...))
	out, err := cl.cloudtrail().CreateEventDataStore(ctx, in)
	if err != nil {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "lakecreate", p)
		return
	}
	redirect(w, r, ss, Prefix+"/cloudtrail/lake", "Event data store "+aws.ToString(out.Name)+" created: "+storeID(aws.ToString(out.EventDataStoreArn)))
}

// storeKeyPolicy is the key policy the CloudTrail console gives a key it creates for an event
// data store: CloudTrail may generate data keys and decrypt, the account's IAM policies may
// allow its use, and the creating identity may decrypt and generate data keys
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/default-kms-key-policy.html). The
// first statement's Sid carries the creation date, as the console's does.
func storeKeyPolicy(account, creator string, now time.Time) string {
	type principal struct {
		AWS     string `json:"AWS,omitempty"`
		Service string `json:"Service,omitempty"`
	}
	type statement struct {
		Sid       string    `json:"Sid"`
		Effect    string    `json:"Effect"`
		Principal principal `json:"Principal"`
		Action    any       `json:"Action"`
		Resource  string    `json:"Resource"`
	}
	doc := struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", []statement{
		{"The key created by CloudTrail to encrypt event data stores. Created " + now.UTC().Format(http.TimeFormat), "Allow",
			principal{Service: "cloudtrail.amazonaws.com"}, []string{"kms:GenerateDataKey", "kms:Decrypt"}, "*"},
		{"Enable IAM user permissions", "Allow", principal{AWS: "arn:aws:iam::" + account + ":root"}, "kms:*", "*"},
		{"Enable user to have permissions", "Allow", principal{AWS: creator}, []string{"kms:Decrypt", "kms:GenerateDataKey"}, "*"},
	}}
	b, _ := json.Marshal(doc) // plain strings and slices: Marshal cannot fail
	return string(b)
}

// sampleQuery is a query of the Sample queries tab, written for the events keytrail records.
type sampleQuery struct {
	Name, Description, SQL string
}

// storePlaceholder stands for the chosen store's ID in the sample queries.
const storePlaceholder = "$EDS_ID"

// sampleQueries answer the questions of a trail encrypted with a KMS key. Each bounds
// eventTime, as the console's cost warning recommends
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-console-queries.html).
var sampleQueries = []sampleQuery{
	{"Who used my KMS keys", "Every KMS call of the last week: who made it, on which key, and whether it was refused.",
		"SELECT eventTime, userIdentity.arn AS caller, eventName, element_at(resources, 1).arn AS key, errorCode\nFROM " + storePlaceholder +
			"\nWHERE eventSource = 'kms.amazonaws.com'\n  AND eventTime > date_add('day', -7, now())\nORDER BY eventTime DESC\nLIMIT 100"},
	{"Refused decrypts", "Decrypt calls KMS refused, with the caller and the message that says why.",
		"SELECT eventTime, userIdentity.arn AS caller, errorCode, errorMessage, sourceIPAddress\nFROM " + storePlaceholder +
			"\nWHERE eventSource = 'kms.amazonaws.com' AND eventName = 'Decrypt'\n  AND errorCode IS NOT NULL\n  AND eventTime > date_add('day', -7, now())\nORDER BY eventTime DESC"},
	{"Trails that changed their key", "CreateTrail and UpdateTrail calls and the KMS key each set.",
		"SELECT eventTime, userIdentity.arn AS caller, eventName,\n  element_at(requestParameters, 'name') AS trail,\n  element_at(requestParameters, 'kmsKeyId') AS kmsKeyId, errorCode\nFROM " + storePlaceholder +
			"\nWHERE eventSource = 'cloudtrail.amazonaws.com' AND eventName IN ('CreateTrail', 'UpdateTrail')\n  AND eventTime > date_add('day', -30, now())\nORDER BY eventTime DESC"},
	{"Investigate who made console changes", "Calls made from a console session that changed something.",
		"SELECT eventTime, userIdentity.arn AS caller, eventSource, eventName, errorCode\nFROM " + storePlaceholder +
			"\nWHERE sessionCredentialFromConsole = 'true' AND readOnly = false\n  AND eventTime > date_add('day', -7, now())\nORDER BY eventTime DESC"},
	{"Access denied by action", "Refused calls counted by service and action.",
		"SELECT eventSource, eventName, count(*) AS refused\nFROM " + storePlaceholder +
			"\nWHERE errorCode IN ('AccessDenied', 'AccessDeniedException')\n  AND eventTime > date_add('day', -7, now())\nGROUP BY eventSource, eventName\nORDER BY refused DESC"},
}

// fillFrom is a query with the store after its first FROM replaced by id, as picking a store
// in the console's editor "populates the event data store ID in the FROM line".
func fillFrom(sql, id string) string {
	if loc := fromStore.FindStringSubmatchIndex(sql); loc != nil {
		return sql[:loc[2]] + id + sql[loc[3]:]
	}
	return sql
}

// fromStore finds the store after the first FROM.
var fromStore = regexp.MustCompile(`(?i)\bFROM\s+([^\s;,()]+)`)

// queryData is the query editor: the stores to pick from, the query, and a run's output.
type queryData struct {
	Stores   []storeRow
	Store    string // the picked store's ID
	SQL      string
	Samples  []sampleQuery // with the picked store's ID
	NoEngine string
	// A run: DescribeQuery's output and a page of GetQueryResults.
	QueryID, Status, QueryError string
	Matched, Scanned            int64
	RunTime                     time.Duration
	Columns                     []string
	Rows                        [][]string
	Next                        string
	ResultsError                *apiError
}

// maxSQL bounds a query statement, as StartQuery does (10,000 characters).
const maxSQL = 10000

// lakeQueryPage is the query editor
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-run-query.html): the store
// picker, the editor, the sample queries; with ?id= a run's Command output (DescribeQuery) and
// Query results (GetQueryResults, a page at a time).
func (c *Console) lakeQueryPage(w http.ResponseWriter, r *http.Request, ss *session) {
	q := r.URL.Query()
	data := &queryData{Store: q.Get("store"), SQL: q.Get("sql"), NoEngine: noEngine, QueryID: q.Get("id")}
	if n, err := strconv.Atoi(q.Get("sample")); err == nil && n >= 0 && n < len(sampleQueries) {
		data.SQL = sampleQueries[n].SQL
	}
	p := &page{Title: "CloudTrail Lake: query", Session: ss, Data: data}
	cl := c.clientsFor(r, ss)
	if data.QueryID != "" {
		c.queryRun(r, p, cl.cloudtrail(), q.Get("token"))
	}
	c.editor(r, p, cl.cloudtrail())
	c.render(w, http.StatusOK, "lakequery", p)
}

// editor fills in the editor's stores (the first one picked when none is) and samples.
func (c *Console) editor(r *http.Request, p *page, ct *cloudtrail.Client) {
	data := p.Data.(*queryData)
	stores, err := listStores(r.Context(), ct)
	if err != nil && p.Error == nil {
		p.Error = c.errorOf(err)
	}
	data.Stores = stores
	if data.Store == "" && len(stores) > 0 {
		data.Store = stores[0].ID
	}
	id := data.Store
	if id == "" {
		id = "<event data store ID>"
	}
	if data.SQL == "" {
		data.SQL = sampleQueries[0].SQL
	}
	data.SQL = strings.ReplaceAll(data.SQL, storePlaceholder, id)
	for _, s := range sampleQueries {
		s.SQL = strings.ReplaceAll(s.SQL, storePlaceholder, id)
		data.Samples = append(data.Samples, s)
	}
	if data.QueryID == "" {
		p.CLI = append(p.CLI, c.regional(r, "Run this query", "cloudtrail", "start-query", "--query-statement", data.SQL))
	}
}

// queryRun fills in a query's status and a page of its results, waiting a few seconds for a
// query still running.
func (c *Console) queryRun(r *http.Request, p *page, ct *cloudtrail.Client, token string) {
	data := p.Data.(*queryData)
	ctx := r.Context()
	var d *cloudtrail.DescribeQueryOutput
	for wait := 50 * time.Millisecond; ; wait *= 2 {
		var err error
		d, err = ct.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: aws.String(data.QueryID)})
		if err != nil {
			p.Error = c.errorOf(err)
			return
		}
		if d.QueryStatus != cttypes.QueryStatusQueued && d.QueryStatus != cttypes.QueryStatusRunning || wait > 2*time.Second {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	data.Status, data.QueryError, data.SQL = string(d.QueryStatus), aws.ToString(d.ErrorMessage), aws.ToString(d.QueryString)
	if st := d.QueryStatistics; st != nil {
		data.Matched, data.Scanned = aws.ToInt64(st.EventsMatched), aws.ToInt64(st.EventsScanned)
		data.RunTime = time.Duration(aws.ToInt32(st.ExecutionTimeInMillis)) * time.Millisecond
	}
	p.CLI = append(p.CLI, c.regional(r, "Describe the query", "cloudtrail", "describe-query", "--query-id", data.QueryID),
		c.regional(r, "Get its results", "cloudtrail", "get-query-results", "--query-id", data.QueryID))
	if d.QueryStatus != cttypes.QueryStatusFinished {
		return
	}
	in := &cloudtrail.GetQueryResultsInput{QueryId: aws.String(data.QueryID), MaxQueryResults: aws.Int32(100)}
	if token != "" {
		in.NextToken = aws.String(token)
	}
	res, err := ct.GetQueryResults(ctx, in)
	if err != nil {
		data.ResultsError = c.explained(p.Session, err)
		return
	}
	// Each row is a list of one-entry maps, column name to value, in the select list's order
	// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetQueryResults.html).
	for i, row := range res.QueryResultRows {
		var cells []string
		for _, cell := range row {
			for name, v := range cell {
				if i == 0 {
					data.Columns = append(data.Columns, name)
				}
				cells = append(cells, v)
			}
		}
		data.Rows = append(data.Rows, cells)
	}
	data.Next = aws.ToString(res.NextToken)
}

// lakeQuery is the editor's form: Run starts the query (StartQuery) and shows its run; "Use
// store" puts the picked store's ID in the FROM line, as the console's drop-down does.
func (c *Console) lakeQuery(w http.ResponseWriter, r *http.Request, ss *session) {
	data := &queryData{Store: r.PostFormValue("store"), SQL: strings.TrimSpace(r.PostFormValue("sql")), NoEngine: noEngine}
	p := &page{Title: "CloudTrail Lake: query", Session: ss, Data: data}
	cl := c.clientsFor(r, ss)
	if r.PostFormValue("action") == "fill" || data.SQL == "" {
		if data.SQL == "" && r.PostFormValue("action") != "fill" {
			p.Error = &apiError{Code: "InvalidParameterException", Message: "Enter a query to run."}
		}
		if data.Store != "" {
			data.SQL = fillFrom(data.SQL, data.Store)
		}
		c.editor(r, p, cl.cloudtrail())
		c.render(w, http.StatusOK, "lakequery", p)
		return
	}
	if len(data.SQL) > maxSQL {
		p.Error = &apiError{Code: "InvalidParameterException", Message: "A query statement has at most 10000 characters."}
		c.editor(r, p, cl.cloudtrail())
		c.render(w, http.StatusOK, "lakequery", p)
		return
	}
	out, err := cl.cloudtrail().StartQuery(r.Context(), &cloudtrail.StartQueryInput{QueryStatement: aws.String(data.SQL)})
	if err != nil {
		p.Error = c.errorOf(err)
		c.editor(r, p, cl.cloudtrail())
		c.render(w, http.StatusOK, "lakequery", p)
		return
	}
	target := Prefix + "/cloudtrail/lake/query?" + url.Values{"store": {data.Store}, "id": {aws.ToString(out.QueryId)}}.Encode()
	redirect(w, r, ss, target, "Query "+aws.ToString(out.QueryId)+" started.")
}
