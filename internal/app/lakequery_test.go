//go:build cgo

package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/keytrail/keytrail/internal/identity"
)

// The query operations over the wire with aws-sdk-go-v2: a KMS-encrypted store's ingested API
// calls queried in SQL, the results paged as rows of {column: value} maps, listed, and a
// finished query refused cancellation; a disabled key refuses StartQuery.
func TestLakeQueriesThroughTheSDK(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	k := e.rootKMS()
	key := must(k.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(storeKeyPolicy(account, true))}))(t).KeyMetadata
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	store := aws.ToString(must(ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("audit"), KmsKeyId: key.KeyId}))(t).EventDataStoreArn)
	for _, name := range []string{"lake-a", "lake-b"} {
		must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))(t)
	}
	e.lakeFlush()

	id := store[strings.LastIndexByte(store, '/')+1:]
	stmt := "SELECT requestParameters['userName'] AS who, eventTime FROM " + id + " WHERE eventName = 'CreateUser' ORDER BY who"
	qid := aws.ToString(must(ct.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(stmt)}))(t).QueryId)
	if err := e.app.Lake.WaitQuery(identity.WithPrincipal(ctx, identity.AccountRoot(account)), qid); err != nil {
		t.Fatal(err)
	}
	d := must(ct.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: aws.String(qid)}))(t)
	if d.QueryStatus != types.QueryStatusFinished || aws.ToString(d.QueryString) != stmt || d.QueryStatistics == nil ||
		aws.ToInt64(d.QueryStatistics.EventsScanned) == 0 || d.QueryStatistics.CreationTime == nil {
		t.Fatalf("DescribeQuery = %+v", d)
	}
	var who []string
	var token *string
	for {
		page := must(ct.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: aws.String(qid), MaxQueryResults: aws.Int32(1), NextToken: token}))(t)
		if page.QueryStatus != types.QueryStatusFinished || aws.ToInt32(page.QueryStatistics.TotalResultsCount) != 2 {
			t.Fatalf("GetQueryResults = %+v", page)
		}
		for _, row := range page.QueryResultRows {
			if len(row) != 2 || len(row[1]["eventTime"]) != len("2006-01-02 15:04:05.000") {
				t.Fatalf("row = %v", row)
			}
			who = append(who, row[0]["who"])
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(who, []string{"lake-a", "lake-b"}) {
		t.Fatalf("rows = %v", who)
	}
	list := must(ct.ListQueries(ctx, &cloudtrail.ListQueriesInput{EventDataStore: aws.String(store), QueryStatus: types.QueryStatusFinished}))(t)
	if len(list.Queries) != 1 || aws.ToString(list.Queries[0].QueryId) != qid {
		t.Fatalf("ListQueries = %+v", list.Queries)
	}
	_, err := ct.CancelQuery(ctx, &cloudtrail.CancelQueryInput{QueryId: aws.String(qid)})
	var inactive *types.InactiveQueryException
	if !errors.As(err, &inactive) {
		t.Fatalf("CancelQuery of a finished query: %v", err)
	}
	_, err = ct.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String("SELEC 1 FROM " + id)})
	var invalid *types.InvalidQueryStatementException
	if !errors.As(err, &invalid) {
		t.Fatalf("StartQuery of bad SQL: %v", err)
	}
	must(k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyId}))(t)
	_, err = ct.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(stmt)})
	var insufficient *types.InsufficientEncryptionPolicyException
	if !errors.As(err, &insufficient) {
		t.Fatalf("StartQuery with the key disabled: %v", err)
	}
}
