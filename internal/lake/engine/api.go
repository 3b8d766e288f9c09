package engine

import (
	"errors"
	"time"
)

var (
	// ErrInvalidStatement is wrapped by errors for a query that is not a single SELECT over event
	// data stores: a syntax error, another statement kind, several statements, or a table, file or
	// table function that is not a store. StartQuery answers it with InvalidQueryStatementException
	// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartQuery.html).
	ErrInvalidStatement = errors.New("invalid query statement")
	// ErrQueryFailed is wrapped by errors raised while a valid statement binds or runs (an unknown
	// column, a function applied to the wrong type, a failed cast): the query ends FAILED with the
	// error's text as its ErrorMessage
	// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeQuery.html).
	ErrQueryFailed = errors.New("query failed")
	// ErrStoreNotFound is wrapped by the error for a store the engine has no table for, when the
	// caller gave no allowed function to decide.
	ErrStoreNotFound = errors.New("event data store not found")
	// ErrNoEngine is returned by every query of a build without cgo, which has no SQL engine.
	ErrNoEngine = errors.New("this keytrail build has no CloudTrail Lake query engine: " +
		"build it with cgo enabled (CGO_ENABLED=1 and a C compiler such as gcc or clang on the PATH)")
)

// Config configures an Engine.
type Config struct {
	// TempDir is where DuckDB may spill intermediate results that do not fit in memory. Empty, the
	// default, keeps everything in memory: spilled data would be event text in clear on disk.
	TempDir string
	// Threads caps DuckDB's worker threads; 0 lets DuckDB choose (one per core).
	Threads int
	// MemoryLimit caps DuckDB's memory in bytes (the stores' events and the queries' work); 0 is
	// DuckDB's default, 80% of the system's memory. A query beyond it fails with Lake's "Query
	// exhausted resources at this scale factor".
	MemoryLimit int64
	// Now is the clock current_timestamp, now() and current_date read; nil is the system clock.
	Now func() time.Time
}

// Result is a finished query's result as GetQueryResults returns it
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetQueryResults.html): column
// names and rows of strings, nil for NULL.
type Result struct {
	Columns []string
	Rows    [][]*string
	Stats   Stats
}

// Stats are a query's statistics
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_QueryStatisticsForDescribeQuery.html).
type Stats struct {
	ResultsCount  int64         // rows in the result
	EventsScanned int64         // events in the stores the query read
	BytesScanned  int64         // the size of those events' records
	ExecutionTime time.Duration // from the start of the run to the last row
}
