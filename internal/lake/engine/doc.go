// Package engine runs CloudTrail Lake queries: SELECT statements in CloudTrail Lake's SQL (the Trino
// dialect, https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-limitations.html) over
// the events of event data stores, on an embedded DuckDB.
//
// Each store's events sit in a table with the CloudTrail event schema
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-supported-event-schemas.html).
// A query goes through a front end before DuckDB sees it:
//
//  1. the store references after FROM and JOIN (store IDs or event data store ARNs, unquoted as
//     Lake takes them) are found, checked by the caller and replaced by the stores' tables;
//  2. the statement is parsed by DuckDB (json_serialize_sql) and must be a single SELECT that reads
//     only those tables, its own CTEs and UNNEST;
//  3. the syntax tree is rewritten where Trino and DuckDB differ (function names, lambda
//     functions, CAST of JSON to varchar) and turned back into SQL (json_deserialize_sql);
//  4. a prelude of macros supplies Trino functions DuckDB lacks under their Trino names;
//  5. the results are formatted as GetQueryResults returns them: every value a string, column
//     names as aliases, dereferenced field names or _colN, timestamps as YYYY-MM-DD HH:MM:SS.mmm
//     (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-lake-examples.html).
//
// How the Lake uses it: Load each event into its store's table once, as it is ingested (loading
// decodes JSON at some 30,000 events a second per core, far too slow to repeat per query); Purge
// for retention; Prepare a query when StartQuery takes it (ErrInvalidStatement is
// InvalidQueryStatementException, ErrQueryFailed a FAILED query) and Run it in the background
// under a context that CancelQuery cancels and the query timeout bounds. The events are held in
// memory only, decrypted: nothing reaches the disk unless Config.TempDir allows spilling.
//
// DuckDB needs cgo. A build without cgo has the same API; its Open succeeds and its Query fails
// with ErrNoEngine, whose message says how to get a build with the engine.
package engine
