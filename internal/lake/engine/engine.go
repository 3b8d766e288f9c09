//go:build cgo

package engine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Engine runs Lake queries over the stores' events on an in-memory DuckDB. It is safe for
// concurrent use.
type Engine struct {
	cfg     Config
	started sync.Once
	err     error       // why the engine could not start
	db      *sql.DB     // nil until the engine starts
	up      atomic.Bool // db is open
	now     func() time.Time
	unnest  node // the lateral unnest table reference the rewriter splices in

	mu     sync.Mutex
	stores map[string]*storeStats

	// ckMu guards the checkpoints' state; pending is the rows appended or deleted since the last.
	ckMu        sync.Mutex
	pending     int64
	ckRows      int64 // checkpoint once pending reaches it
	checkpoints int   // how many were done
}

// checkpointRows is how many appended rows wait for a checkpoint: one of DuckDB's row groups
// (122,880 rows each, https://duckdb.org/docs/stable/internals/storage). Rows are compressed
// only when a checkpoint writes them; until then an event takes about five times the memory
// (2.4 KB against 0.5 KB for BenchmarkLake's events, see docs/performance.md).
const checkpointRows = 122_880

type storeStats struct {
	events, bytes int64
}

// Open returns an engine. DuckDB itself starts at the first Load or Prepare, so that a keytrail
// whose stores are never queried holds none of its memory or threads; a failure to start is
// returned by that call (and every later one).
func Open(cfg Config) (*Engine, error) {
	return &Engine{cfg: cfg, now: cfg.Now, stores: map[string]*storeStats{}, ckRows: checkpointRows}, nil
}

// start opens DuckDB once.
func (e *Engine) start() error {
	e.started.Do(func() {
		opts := url.Values{}
		opts.Set("autoinstall_known_extensions", "false")
		opts.Set("autoload_known_extensions", "false")
		if e.cfg.Threads > 0 {
			opts.Set("threads", strconv.Itoa(e.cfg.Threads))
		}
		if e.cfg.MemoryLimit > 0 {
			opts.Set("memory_limit", strconv.FormatInt(e.cfg.MemoryLimit, 10)+"B")
		}
		connector, err := duckdb.NewConnector("?"+opts.Encode(), nil)
		if err != nil {
			e.err = fmt.Errorf("lake engine: %w", err)
			return
		}
		e.db = sql.OpenDB(connector)
		if err := e.init(e.cfg.TempDir); err != nil {
			_ = e.db.Close() // the init error is the one to report
			e.db, e.err = nil, err
			return
		}
		e.up.Store(true)
	})
	return e.err
}

func (e *Engine) init(tempDir string) error {
	stmts := append([]string{
		`SET temp_directory = '` + strings.ReplaceAll(tempDir, "'", "''") + `'`,
		`SET TimeZone = 'UTC'`,
		// Checkpoints (which compress the stores' tables) when Load and Purge ask for them, not at
		// every commit past 16 MB: loading a million events in chunks of ten thousand otherwise
		// compresses the same row groups again and again
		// (https://duckdb.org/docs/stable/configuration/overview).
		`SET GLOBAL checkpoint_threshold = '1 TB'`,
		// The allocator's background threads give freed memory back to the system (without them
		// DuckDB's process keeps the peak of a load or a query).
		`SET GLOBAL allocator_background_threads = true`,
		// No files, no network: a query reads stores only (set last: it also freezes temp_directory).
		`SET enable_external_access = false`,
		`CREATE SCHEMA ` + storeSchema,
	}, prelude...)
	for _, s := range stmts {
		if _, err := e.db.Exec(s); err != nil {
			return fmt.Errorf("lake engine: %s: %w", s, err)
		}
	}
	tree, err := e.serialize(context.Background(), `SELECT * FROM (SELECT unnest(x, recursive := true)) AS t`)
	if err != nil {
		return fmt.Errorf("lake engine: %w", err)
	}
	stmt, err := decodeTree(tree)
	if err != nil {
		return fmt.Errorf("lake engine: %w", err)
	}
	e.unnest, _ = dig(stmt, "node", "from_table").(node)
	if _, ok := dig(e.unnest, "subquery", "node", "select_list", 0, "children", 0).(node); !ok {
		return errors.New("lake engine: DuckDB serializes a lateral unnest in an unknown shape")
	}
	return nil
}

// Close stops the engine and frees its memory.
func (e *Engine) Close() error {
	e.started.Do(func() { e.err = errors.New("lake engine: closed") }) // an engine never started stays so
	if e.db == nil {
		return nil
	}
	return e.db.Close()
}

// Load appends CloudTrail records (one JSON object each, as keytrail writes them) to a store's
// table, creating it if needed. A record that cannot be read fails the call and loads nothing.
func (e *Engine) Load(ctx context.Context, storeID string, records [][]byte) error {
	if err := e.start(); err != nil {
		return err
	}
	if err := e.ensure(ctx, storeID); err != nil {
		return err
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // returns the connection to the pool; nothing to report
	var size int64
	err = conn.Raw(func(dc any) error {
		size, err = appendRecords(ctx, dc.(driver.Conn), storeID, records)
		return err
	})
	if err != nil {
		return fmt.Errorf("lake engine: store %s: %w", storeID, err)
	}
	e.mu.Lock()
	st := e.stores[storeID]
	st.events += int64(len(records))
	st.bytes += size
	e.mu.Unlock()
	e.changed(ctx, int64(len(records)))
	return nil
}

// changed counts rows appended or deleted and checkpoints once enough wait, so that they are
// compressed (appended rows) or their memory freed (deleted ones). A checkpoint DuckDB refuses (a
// concurrent transaction writes) is tried again at the next change.
func (e *Engine) changed(ctx context.Context, rows int64) {
	e.ckMu.Lock()
	defer e.ckMu.Unlock()
	e.pending += rows
	if e.pending < e.ckRows {
		return
	}
	if _, err := e.db.ExecContext(ctx, `CHECKPOINT`); err == nil {
		e.pending = 0
		e.checkpoints++
	}
}

// appendRecords appends records in one transaction and returns their total size.
func appendRecords(ctx context.Context, dc driver.Conn, storeID string, records [][]byte) (int64, error) {
	ec := dc.(driver.ExecerContext)
	if _, err := ec.ExecContext(ctx, "BEGIN TRANSACTION", nil); err != nil {
		return 0, err
	}
	size, err := appendAll(dc, storeID, records)
	if err != nil {
		_, _ = ec.ExecContext(ctx, "ROLLBACK", nil)
		return 0, err
	}
	_, err = ec.ExecContext(ctx, "COMMIT", nil)
	return size, err
}

func appendAll(dc driver.Conn, storeID string, records [][]byte) (size int64, err error) {
	app, err := duckdb.NewAppender(dc, "", storeSchema, tableIdent(storeID))
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := app.Close(); err == nil {
			err = cerr
		}
	}()
	// A batch at a time: its rows decoded on every core, then appended.
	const batch = 2048
	for from := 0; from < len(records); from += batch {
		part := records[from:min(from+batch, len(records))]
		rows, err := decodeAll(part)
		if err != nil {
			return 0, withIndex(err, from)
		}
		for i, vals := range rows {
			if err := app.AppendRow(vals...); err != nil {
				return 0, fmt.Errorf("record %d: %w", from+i, err)
			}
			size += int64(len(part[i]))
		}
	}
	return size, nil
}

// recordError is a record's decoding error, at its index in its batch.
type recordError struct {
	i   int
	err error
}

func (e *recordError) Error() string { return fmt.Sprintf("record %d: %v", e.i, e.err) }
func (e *recordError) Unwrap() error { return e.err }

// withIndex moves a recordError's index by from.
func withIndex(err error, from int) error {
	var re *recordError
	if errors.As(err, &re) {
		return &recordError{i: re.i + from, err: re.err}
	}
	return err
}

// decodeAll decodes records into rows on every core (decoding is most of a load's time);
// the error is the first record's that fails.
func decodeAll(records [][]byte) ([][]driver.Value, error) {
	rows := make([][]driver.Value, len(records))
	const least = 256 // records per worker, at least
	workers := max(1, min(runtime.GOMAXPROCS(0), len(records)/least))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w * len(records) / workers; i < (w+1)*len(records)/workers; i++ {
				vals, err := row(records[i])
				if err != nil {
					errs[w] = &recordError{i: i, err: err}
					return
				}
				rows[i] = toDriver(vals)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return rows, nil
}

func toDriver(vals []any) []driver.Value {
	out := make([]driver.Value, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out
}

// ensure creates a store's table if it does not exist.
func (e *Engine) ensure(ctx context.Context, storeID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stores[storeID] != nil {
		return nil
	}
	if _, err := e.db.ExecContext(ctx, `CREATE TABLE `+tableName(storeID)+` `+schemaDDL); err != nil {
		return fmt.Errorf("lake engine: store %s: %w", storeID, err)
	}
	e.stores[storeID] = &storeStats{}
	return nil
}

// Purge deletes a store's events older than before (by eventTime), as retention does
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateEventDataStore.html),
// and returns how many it deleted.
func (e *Engine) Purge(ctx context.Context, storeID string, before time.Time) (int64, error) {
	n, err := e.purge(ctx, storeID, before)
	if n > 0 {
		e.changed(ctx, n)
	}
	return n, err
}

func (e *Engine) purge(ctx context.Context, storeID string, before time.Time) (int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.stores[storeID]
	if st == nil {
		return 0, nil
	}
	var n, size sql.NullInt64
	where := ` FROM ` + tableName(storeID) + ` WHERE eventtime < ?`
	if err := e.db.QueryRowContext(ctx, `SELECT count(*), sum(strlen(eventjson))`+where, before.UTC()).Scan(&n, &size); err != nil {
		return 0, fmt.Errorf("lake engine: store %s: %w", storeID, err)
	}
	if n.Int64 == 0 { // the common case: every query purges
		return 0, nil
	}
	if _, err := e.db.ExecContext(ctx, `DELETE`+where, before.UTC()); err != nil {
		return 0, fmt.Errorf("lake engine: store %s: %w", storeID, err)
	}
	st.events -= n.Int64
	st.bytes -= size.Int64
	return n.Int64, nil
}

// Drop forgets a store's events.
func (e *Engine) Drop(ctx context.Context, storeID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.up.Load() { // never started: nothing is loaded
		return nil
	}
	if _, err := e.db.ExecContext(ctx, `DROP TABLE IF EXISTS `+tableName(storeID)); err != nil {
		return fmt.Errorf("lake engine: store %s: %w", storeID, err)
	}
	delete(e.stores, storeID)
	return nil
}

// Statement is a query that passed Prepare's checks, ready to run.
type Statement struct {
	e      *Engine
	sql    string   // the rewritten DuckDB SQL
	names  []string // Lake's column names, nil when only DuckDB knows them
	stores []string
}

// Stores returns the IDs of the stores the statement reads, in order of first mention.
func (s *Statement) Stores() []string { return s.stores }

// Prepare checks a query and translates it for DuckDB without running it. allowed is asked about
// each store the query names (by ID or ARN; it receives the ID) and its error, returned unchanged,
// refuses the query; a store it allows that has no events reads as empty. A nil allowed lets the
// query read the stores that Load has filled and refuses others with ErrStoreNotFound. Other
// refusals wrap ErrInvalidStatement, except a string compared with eventtime that is no timestamp,
// which Trino finds while it analyses the query and Lake reports as a FAILED query: ErrQueryFailed.
func (e *Engine) Prepare(ctx context.Context, query string, allowed func(storeID string) error) (*Statement, error) {
	if err := e.start(); err != nil {
		return nil, err
	}
	refs := findRefs(query)
	if len(refs) == 0 {
		return nil, fmt.Errorf("%w: the query reads no event data store: name one after FROM by its ID or ARN",
			ErrInvalidStatement)
	}
	st := &Statement{e: e}
	tables := map[string]bool{}
	for _, r := range refs {
		if tables[tableIdent(r.id)] {
			continue
		}
		if err := e.allow(r.id, allowed); err != nil {
			return nil, err
		}
		if err := e.ensure(ctx, r.id); err != nil {
			return nil, err
		}
		tables[tableIdent(r.id)] = true
		st.stores = append(st.stores, r.id)
	}
	text, err := e.serialize(ctx, replaceRefs(query, refs))
	if err != nil {
		return nil, st.unmangle(err, ErrInvalidStatement)
	}
	tree, err := decodeTree(text)
	if err != nil {
		return nil, st.unmangle(err, ErrInvalidStatement)
	}
	st.names, _ = columnNames(tree)
	rw := &rewriter{tables: tables, unnest: e.unnest}
	if e.now != nil {
		now := e.now()
		rw.now = &now
	}
	if _, err := rw.walk(tree, nil); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidStatement, err)
	}
	for _, lit := range rw.timeLiterals {
		if _, err := e.db.ExecContext(ctx, `SELECT CAST(CAST(? AS VARCHAR) AS TIMESTAMP)`, lit); err != nil {
			return nil, fmt.Errorf("%w: value cannot be cast to timestamp: %s", ErrQueryFailed, lit)
		}
	}
	if st.sql, err = e.deserialize(ctx, tree); err != nil {
		return nil, err
	}
	return st, nil
}

// allow asks allowed about a store; with no allowed function only loaded stores may be read.
func (e *Engine) allow(id string, allowed func(storeID string) error) error {
	if allowed != nil {
		return allowed(id)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stores[id] == nil {
		return fmt.Errorf("%w: %s", ErrStoreNotFound, id)
	}
	return nil
}

func (e *Engine) serialize(ctx context.Context, query string) (string, error) {
	var text string
	err := e.db.QueryRowContext(ctx, `SELECT CAST(json_serialize_sql(CAST(? AS VARCHAR)) AS VARCHAR)`, query).Scan(&text)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidStatement, err)
	}
	return text, nil
}

func (e *Engine) deserialize(ctx context.Context, tree node) (string, error) {
	text, err := encodeTree(tree)
	if err != nil {
		return "", err
	}
	var query string
	if err := e.db.QueryRowContext(ctx, `SELECT json_deserialize_sql(CAST(? AS JSON))`, text).Scan(&query); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidStatement, err)
	}
	return query, nil
}

// Query checks a query (as Prepare) and runs it.
func (e *Engine) Query(ctx context.Context, query string, allowed func(storeID string) error) (*Result, error) {
	st, err := e.Prepare(ctx, query, allowed)
	if err != nil {
		return nil, err
	}
	return st.Run(ctx)
}

// Run runs the statement. Cancelling ctx interrupts it and returns ctx's error; a bind or runtime
// error wraps ErrQueryFailed.
func (s *Statement) Run(ctx context.Context) (*Result, error) {
	start := time.Now()
	rows, err := s.e.db.QueryContext(ctx, s.sql)
	if err != nil {
		return nil, s.failed(ctx, err)
	}
	defer func() { _ = rows.Close() }() // read reports rows.Err, the error that matters
	res, err := s.read(ctx, rows)
	if err != nil {
		return nil, s.failed(ctx, err)
	}
	res.Stats.ExecutionTime = time.Since(start)
	res.Stats.ResultsCount = int64(len(res.Rows))
	s.e.mu.Lock()
	for _, id := range s.stores {
		if st := s.e.stores[id]; st != nil {
			res.Stats.EventsScanned += st.events
			res.Stats.BytesScanned += st.bytes
		}
	}
	s.e.mu.Unlock()
	return res, nil
}

func (s *Statement) read(ctx context.Context, rows *sql.Rows) (*Result, error) {
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: s.names}
	if len(s.names) != len(cols) {
		res.Columns = make([]string, len(cols))
		for i, c := range cols {
			res.Columns[i] = c.Name()
		}
	}
	types := make([]colType, len(cols))
	for i, c := range cols {
		types[i] = parseType(c.DatabaseTypeName())
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := make([]*string, len(cols))
		texts := make([]string, len(cols)) // the row's values, one allocation for all
		for i, v := range vals {
			if v != nil {
				texts[i] = text(v, types[i])
				r[i] = &texts[i]
			}
		}
		res.Rows = append(res.Rows, r)
	}
	return res, rows.Err()
}

// failed turns a run's error into ctx's error when ctx ended, else an ErrQueryFailed error whose
// text names the store IDs rather than their tables.
func (s *Statement) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if strings.Contains(err.Error(), "Out of Memory Error") {
		// The text Lake documents for a query beyond its resources
		// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-queries-optimization.html).
		return fmt.Errorf("%w: Query exhausted resources at this scale factor", ErrQueryFailed)
	}
	return s.unmangle(err, ErrQueryFailed)
}

// unmangle returns err as a kind error whose text names the stores by ID, not by their tables.
func (s *Statement) unmangle(err error, kind error) error {
	msg := err.Error()
	if errors.Is(err, kind) {
		msg = strings.TrimPrefix(msg, kind.Error()+": ")
	}
	msg = strings.ReplaceAll(msg, storeSchema+".", "")
	for _, id := range s.stores {
		msg = strings.ReplaceAll(msg, tableIdent(id), id)
	}
	return fmt.Errorf("%w: %s", kind, msg)
}
