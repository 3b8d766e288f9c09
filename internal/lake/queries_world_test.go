package lake_test

import (
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/lake/engine"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// newQueryWorld is a lakeWorld whose Lake has a query engine, and queries that time out after
// timeout (0: AWS's hour).
func newQueryWorld(t testing.TB, timeout time.Duration) *lakeWorld {
	t.Helper()
	lw := newLakeWorld(t)
	eng, err := engine.Open(engine.Config{Now: lw.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close() }) // nothing to report at the end of a test
	lw.Lake = lake.New(lake.Config{DB: lw.DB, Keys: lw.KMS, Authorizer: lw.Authz, Now: lw.Clock.Now, Rand: lw.Rand,
		Journal: lw.Journal, Barrier: lw.Barrier, Engine: eng, QueryTimeout: timeout})
	return lw
}

// storeID is the ID at the end of a store's ARN, as queries name it after FROM.
func storeID(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// start starts a query as c and returns its ID.
func (lw *lakeWorld) start(t testing.TB, c *servicetest.Caller, statement string) string {
	t.Helper()
	return servicetest.Call(c, lw.Lake.StartQuery, &lake.StartQueryInput{QueryStatement: statement}).OK().QueryID
}

// describe waits for a query to end and describes it as c.
func (lw *lakeWorld) describe(t testing.TB, c *servicetest.Caller, id string) *lake.DescribeQueryOutput {
	t.Helper()
	lake.WaitQuery(lw.Lake, id)
	in := &lake.DescribeQueryInput{}
	in.QueryID = id
	return servicetest.Call(c, lw.Lake.DescribeQuery, in).OK()
}

// rows waits for a query to end and returns all its rows as c reads them, each as
// "column=value,…".
func (lw *lakeWorld) rows(t testing.TB, c *servicetest.Caller, id string) []string {
	t.Helper()
	lake.WaitQuery(lw.Lake, id)
	in := &lake.GetQueryResultsInput{}
	in.QueryID = id
	out := servicetest.Call(c, lw.Lake.GetQueryResults, in).OK()
	if out.QueryStatus != lake.QueryFinished {
		t.Fatalf("query %s is %s: %s", id, out.QueryStatus, out.ErrorMessage)
	}
	return flatten(out.QueryResultRows)
}

func flatten(rows [][]map[string]*string) []string {
	got := []string{}
	for _, row := range rows {
		var cells []string
		for _, col := range row {
			for k, v := range col {
				s := "NULL"
				if v != nil {
					s = *v
				}
				cells = append(cells, k+"="+s)
			}
		}
		got = append(got, strings.Join(cells, ","))
	}
	return got
}
