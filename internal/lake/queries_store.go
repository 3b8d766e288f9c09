package lake

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"regexp"
	"time"

	"github.com/keytrail/keytrail/internal/lake/engine"
	"github.com/keytrail/keytrail/internal/store"
)

// Queries are kept across restarts, as AWS keeps them for seven days (ListQueries "returns a
// list of queries and query statuses for the past seven days",
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_ListQueries.html): each
// query's record when it starts and when it ends, and its result rows, which are event text,
// sealed by keytrail's barrier (gzip-compressed JSON, bound to the query's ID). Reading them is
// still gated as a live query's are: GetQueryResults checks the caller's use of the stores' KMS
// keys every time. A query that was QUEUED or RUNNING when keytrail stopped is FAILED afterwards
// (see docs/decisions.md, "CloudTrail Lake").
var (
	queryRecords = store.Table[queryRecord]{Name: "lake.queries"}  // <account>/<region>/<query ID> → queryRecord
	queryRows    = store.Table[sealedRows]{Name: "lake.queryrows"} // the same key → sealedRows
)

// interruptedMessage is the ErrorMessage of a query that keytrail stopped under.
const interruptedMessage = "The query did not finish because keytrail stopped while it ran; run it again."

// queryRecord is a stored query (format version 1).
type queryRecord struct {
	store.Version
	ID        string    `json:"id"`
	Account   string    `json:"account"`
	Region    string    `json:"region"`
	Statement string    `json:"statement"`
	Stores    []string  `json:"stores"`
	Created   time.Time `json:"created"`
	Status    string    `json:"status"`
	Error     string    `json:"error,omitempty"`
	Columns   []string  `json:"columns,omitempty"`
	Stats     *rowStats `json:"stats,omitempty"`
	// Rows is true when the result rows are stored (lake.queryrows).
	Rows bool `json:"rows,omitempty"`
	// Where the query saves its results, and how far it got (delivery.go).
	DeliveryS3Uri  string `json:"deliveryS3Uri,omitempty"`
	DeliveryStatus string `json:"deliveryStatus,omitempty"`
}

// rowStats are a finished query's statistics.
type rowStats struct {
	Results       int64 `json:"results"`
	EventsScanned int64 `json:"eventsScanned"`
	BytesScanned  int64 `json:"bytesScanned"`
	ExecutionMs   int64 `json:"executionMs"`
}

// sealedRows is a query's result rows, sealed (format version 1).
type sealedRows struct {
	store.Version
	Sealed []byte `json:"sealed"`
}

// queryIDPattern is QueryId's pattern and length (36, ^[a-f0-9\-]+$).
var queryIDPattern = regexp.MustCompile(`^[a-f0-9-]{36}$`)

func validQueryID(id string) bool { return queryIDPattern.MatchString(id) }

func queryKey(account, region, id string) string { return account + "/" + region + "/" + id }

func rowsPurpose(key string) string { return "lake/queryrows/" + key }

// record is q as stored. The caller holds s.q.mu.
func (q *query) record() *queryRecord {
	rec := &queryRecord{ID: q.id, Account: q.account, Region: q.region, Statement: q.statement, Stores: q.stores,
		Created: q.created, Status: q.status, Error: q.errMsg}
	if res := q.result; res != nil {
		rec.Columns = res.Columns
		rec.Stats = &rowStats{Results: res.Stats.ResultsCount, EventsScanned: res.Stats.EventsScanned,
			BytesScanned: res.Stats.BytesScanned, ExecutionMs: res.Stats.ExecutionTime.Milliseconds()}
		rec.Rows = len(res.Rows) > 0
	}
	if d := q.delivery; d != nil {
		rec.DeliveryS3Uri, rec.DeliveryStatus = d.uri, d.status
	}
	return rec
}

// saveQuery stores q as it is now, with its rows when it has finished. A failure is logged:
// the query goes on in memory. Without a barrier to seal the rows with (tests), queries are kept
// in memory only.
func (s *Service) saveQuery(q *query) {
	if s.barrier == nil {
		return
	}
	s.q.mu.Lock()
	rec := q.record()
	var rows [][]*string
	if q.result != nil {
		rows = q.result.Rows
	}
	s.q.mu.Unlock()
	key := queryKey(rec.Account, rec.Region, rec.ID)
	var sealed []byte
	if rec.Rows {
		plain, err := encodeRows(rows)
		if err == nil {
			sealed, err = s.barrier.Seal(plain, rowsPurpose(key))
		}
		if err != nil {
			s.log.Error("lake query not stored", "query", rec.ID, "err", err)
			return
		}
	}
	err := s.db.Update(context.Background(), func(tx store.Tx) error {
		if err := queryRecords.Put(tx, key, rec); err != nil {
			return err
		}
		if sealed != nil {
			return queryRows.Put(tx, key, &sealedRows{Sealed: sealed})
		}
		return nil
	})
	if err != nil {
		s.log.Error("lake query not stored", "query", rec.ID, "err", err)
	}
}

func encodeRows(rows [][]*string) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // a valid level
	if err := json.NewEncoder(zw).Encode(rows); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeRows(b []byte) ([][]*string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var rows [][]*string
	if err := json.NewDecoder(io.LimitReader(zr, 1<<34)).Decode(&rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// storedQuery returns the stored query of account in region, as an ended query (nil when there
// is none, or it is past seven days). Its rows are read when GetQueryResults first needs them.
func (s *Service) storedQuery(ctx context.Context, account, region, id string) (*query, error) {
	var rec *queryRecord
	if err := s.db.View(ctx, func(tx store.Tx) (err error) {
		rec, err = queryRecords.Get(tx, queryKey(account, region, id))
		return err
	}); err != nil || rec == nil {
		return nil, err
	}
	if s.now().Sub(rec.Created) > queryKept {
		return nil, nil
	}
	return restored(rec), nil
}

// restored is the query a record stands for in a process that did not run it.
func restored(rec *queryRecord) *query {
	q := &query{id: rec.ID, account: rec.Account, region: rec.Region, statement: rec.Statement, stores: rec.Stores,
		created: rec.Created, status: rec.Status, errMsg: rec.Error, done: make(chan struct{}), stored: rec.Rows, cancel: func() {}}
	close(q.done)
	if q.active() {
		q.status, q.errMsg = QueryFailed, interruptedMessage
	}
	q.delivery = restoredDelivery(rec)
	if rec.Stats != nil {
		q.result = &engine.Result{Columns: rec.Columns, Stats: engine.Stats{ResultsCount: rec.Stats.Results,
			EventsScanned: rec.Stats.EventsScanned, BytesScanned: rec.Stats.BytesScanned,
			ExecutionTime: time.Duration(rec.Stats.ExecutionMs) * time.Millisecond}}
	}
	return q
}

// loadRows reads a restored query's rows into it, once.
func (s *Service) loadRows(ctx context.Context, q *query) error {
	s.q.mu.Lock()
	need := q.stored
	s.q.mu.Unlock()
	if !need {
		return nil
	}
	key := queryKey(q.account, q.region, q.id)
	var sr *sealedRows
	if err := s.db.View(ctx, func(tx store.Tx) (err error) {
		sr, err = queryRows.Get(tx, key)
		return err
	}); err != nil {
		return err
	}
	var rows [][]*string
	if sr != nil {
		plain, err := s.barrier.Open(sr.Sealed, rowsPurpose(key))
		if err != nil {
			return err
		}
		if rows, err = decodeRows(plain); err != nil {
			return err
		}
	}
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	if q.stored {
		q.stored = false
		if q.result != nil {
			q.result.Rows = rows
		}
	}
	return nil
}

// storedQueries returns the stored queries of account in region that this process has not
// loaded, within seven days.
func (s *Service) storedQueries(ctx context.Context, account, region string, skip func(id string) bool) []*query {
	var out []*query
	err := s.db.View(ctx, func(tx store.Tx) error {
		return queryRecords.Scan(tx, account+"/"+region+"/", "", func(_ string, rec *queryRecord) error {
			if !skip(rec.ID) && s.now().Sub(rec.Created) <= queryKept {
				out = append(out, restored(rec))
			}
			return nil
		})
	})
	if err != nil {
		s.log.Error("lake stored queries not read", "err", err)
	}
	return out
}

// purgeQueries removes the stored queries older than seven days.
func purgeQueries(tx store.Tx, now time.Time) error {
	var old []string
	err := queryRecords.Scan(tx, "", "", func(key string, rec *queryRecord) error {
		if now.Sub(rec.Created) > queryKept {
			old = append(old, key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range old {
		if err := queryRecords.Delete(tx, key); err != nil {
			return err
		}
		if err := queryRows.Delete(tx, key); err != nil {
			return err
		}
	}
	return nil
}
