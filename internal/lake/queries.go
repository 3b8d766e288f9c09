package lake

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake/engine"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
)

// The error codes of the query operations (the Errors of
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartQuery.html and its
// siblings).
const (
	queryIDNotFound       awserr.Code = "QueryIdNotFoundException"
	invalidQueryStatement awserr.Code = "InvalidQueryStatementException"
	maxConcurrentQueries  awserr.Code = "MaxConcurrentQueriesException"
	inactiveQuery         awserr.Code = "InactiveQueryException"
	invalidQueryStatus    awserr.Code = "InvalidQueryStatusException"
	invalidDateRange      awserr.Code = "InvalidDateRangeException"
	unsupportedOperation  awserr.Code = "UnsupportedOperationException"
)

// The statuses of a query (QueryStatus in the API reference).
const (
	QueryQueued    = "QUEUED"
	QueryRunning   = "RUNNING"
	QueryFinished  = "FINISHED"
	QueryFailed    = "FAILED"
	QueryCancelled = "CANCELLED"
	QueryTimedOut  = "TIMED_OUT"
)

const (
	// maxQueries is the most queries of an account that run at once: "The maximum number of
	// concurrent queries is 10" (MaxConcurrentQueriesException,
	// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartQuery.html).
	maxQueries = 10
	// queryTimeout is how long a query may run: "queries … may time out after one hour"
	// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-queries-cli.html).
	queryTimeout = time.Hour
	// queryKept is how long a query is listed: ListQueries "returns a list of queries and query
	// statuses for the past seven days"
	// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_ListQueries.html).
	queryKept = 7 * 24 * time.Hour
	// maxPage is the most rows of a GetQueryResults page (MaxQueryResults, 1–1000), also the page
	// when MaxQueryResults is absent.
	maxPage = 1000
)

// query is a query of the account, kept in memory (see docs/decisions.md).
type query struct {
	id, account, region, statement string
	stores                         []string // the ARNs of the stores it reads
	created                        time.Time
	delivery                       *delivery // where it saves its results (nil: it does not)

	// Guarded by Service.qmu.
	status string
	errMsg string
	result *engine.Result
	cancel context.CancelFunc
	done   chan struct{}
	stored bool // restored from the store: its rows are read at the first GetQueryResults
}

func (q *query) active() bool { return q.status == QueryQueued || q.status == QueryRunning }

// queries is the query side's state: the queries, and how far each store's events are loaded
// into the engine.
type queries struct {
	mu   sync.Mutex
	byID map[string]*query

	loadMu sync.Mutex
	loaded map[string]string // store ID → the key of the last chunk loaded ("" : none yet)
}

// StartQueryInput is StartQuery's request.
type StartQueryInput struct {
	QueryStatement               string   `json:"QueryStatement"`
	DeliveryS3Uri                string   `json:"DeliveryS3Uri"`
	QueryAlias                   string   `json:"QueryAlias"`
	QueryParameters              []string `json:"QueryParameters"`
	EventDataStoreOwnerAccountID string   `json:"EventDataStoreOwnerAccountId"`
}

// StartQueryOutput is StartQuery's response.
type StartQueryOutput struct {
	QueryID string `json:"QueryId"`
}

// QueryInput is the request of CancelQuery: a query, and optionally (deprecated) a store it reads.
type QueryInput struct {
	EventDataStore               string `json:"EventDataStore"`
	QueryID                      string `json:"QueryId"`
	EventDataStoreOwnerAccountID string `json:"EventDataStoreOwnerAccountId"`
}

// DescribeQueryInput is DescribeQuery's request.
type DescribeQueryInput struct {
	QueryInput
	QueryAlias string `json:"QueryAlias"`
	RefreshID  string `json:"RefreshId"`
}

// DescribeQueryStatistics are a query's statistics as DescribeQuery returns them.
type DescribeQueryStatistics struct {
	EventsMatched         int64         `json:"EventsMatched"`
	EventsScanned         int64         `json:"EventsScanned"`
	BytesScanned          int64         `json:"BytesScanned"`
	ExecutionTimeInMillis int64         `json:"ExecutionTimeInMillis"`
	CreationTime          *awsjson.Time `json:"CreationTime,omitempty"`
}

// DescribeQueryOutput is DescribeQuery's response.
type DescribeQueryOutput struct {
	QueryID         string                   `json:"QueryId"`
	QueryString     string                   `json:"QueryString"`
	QueryStatus     string                   `json:"QueryStatus"`
	QueryStatistics *DescribeQueryStatistics `json:"QueryStatistics"`
	ErrorMessage    string                   `json:"ErrorMessage,omitempty"`
	DeliveryS3Uri   string                   `json:"DeliveryS3Uri,omitempty"`
	DeliveryStatus  string                   `json:"DeliveryStatus,omitempty"`
}

// GetQueryResultsInput is GetQueryResults' request.
type GetQueryResultsInput struct {
	QueryInput
	NextToken       string `json:"NextToken"`
	MaxQueryResults *int   `json:"MaxQueryResults"`
}

// QueryStatistics are a result page's statistics.
type QueryStatistics struct {
	ResultsCount      int64 `json:"ResultsCount"`
	TotalResultsCount int64 `json:"TotalResultsCount"`
	BytesScanned      int64 `json:"BytesScanned"`
}

// GetQueryResultsOutput is GetQueryResults' response: each row a list of one-entry maps
// {column: value}, every value a string (null for SQL NULL).
type GetQueryResultsOutput struct {
	QueryStatus     string           `json:"QueryStatus"`
	QueryStatistics *QueryStatistics `json:"QueryStatistics,omitempty"`
	QueryResultRows ResultRows       `json:"QueryResultRows"`
	NextToken       string           `json:"NextToken,omitempty"`
	ErrorMessage    string           `json:"ErrorMessage,omitempty"`
}

// ListQueriesInput is ListQueries' request.
type ListQueriesInput struct {
	EventDataStore string        `json:"EventDataStore"`
	NextToken      string        `json:"NextToken"`
	MaxResults     *int          `json:"MaxResults"`
	StartTime      *awsjson.Time `json:"StartTime"`
	EndTime        *awsjson.Time `json:"EndTime"`
	QueryStatus    string        `json:"QueryStatus"`
}

// QuerySummary is an entry of ListQueries.
type QuerySummary struct {
	QueryID      string        `json:"QueryId"`
	QueryStatus  string        `json:"QueryStatus"`
	CreationTime *awsjson.Time `json:"CreationTime,omitempty"`
}

// ListQueriesOutput is ListQueries' response.
type ListQueriesOutput struct {
	Queries   []QuerySummary `json:"Queries"`
	NextToken string         `json:"NextToken,omitempty"`
}

// CancelQueryOutput is CancelQuery's response.
type CancelQueryOutput struct {
	QueryID     string `json:"QueryId"`
	QueryStatus string `json:"QueryStatus"`
}

var deliveryURIPattern = regexp.MustCompile(`^s3://[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](/.*)?$`)

// checkStart applies StartQuery's rules on its members.
func checkStart(c *call, in *StartQueryInput) error {
	switch {
	case in.QueryAlias != "" || len(in.QueryParameters) > 0:
		// "QueryAlias and QueryParameters parameters are used only for the queries that populate
		// the CloudTrail Lake dashboards" (API_StartQuery.html): keytrail has no dashboards.
		return awserr.New(invalidParameter, "QueryAlias and QueryParameters name the queries of CloudTrail Lake dashboards, which keytrail does not have; give a QueryStatement.")
	case in.QueryStatement == "":
		return awserr.New(invalidParameter, "StartQuery needs a QueryStatement.")
	case len(in.QueryStatement) > 10000:
		return awserr.New(invalidParameter, "QueryStatement is longer than 10000 characters.")
	case in.EventDataStoreOwnerAccountID != "" && in.EventDataStoreOwnerAccountID != c.P.Account:
		return awserr.New(invalidParameter, "EventDataStoreOwnerAccountId %s is not valid: keytrail queries the stores of the caller's account only.", in.EventDataStoreOwnerAccountID)
	case in.DeliveryS3Uri != "" && !deliveryURIPattern.MatchString(in.DeliveryS3Uri):
		return awserr.New(invalidParameter, "DeliveryS3Uri %s is not valid: it must be s3://bucket[/prefix].", in.DeliveryS3Uri)
	case in.DeliveryS3Uri != "":
		_, _, err := parseDeliveryURI(in.DeliveryS3Uri)
		return err
	}
	return nil
}

// StartQuery checks a query of CloudTrail Lake SQL and starts it in the background: a single
// SELECT over stores of the caller's account that the caller may query — cloudtrail:StartQuery
// on each store by its identity policies and, for a store encrypted with a KMS key,
// kms:GenerateDataKey and kms:Decrypt on that key (key policy and identity policies, via
// CloudTrail), with the key enabled. The stores' events are loaded into the engine (decrypted as
// CloudTrail) before the query starts; a DeliveryS3Uri's bucket is checked as CloudTrail
// (checkDelivery). Errors: InvalidParameterException, InvalidQueryStatementException,
// EventDataStoreARNInvalidException, EventDataStoreNotFoundException,
// InactiveEventDataStoreException, InsufficientEncryptionPolicyException (the stores' keys, or
// the bucket's default key), MaxConcurrentQueriesException, UnsupportedOperationException (a
// keytrail built without the engine), InvalidS3BucketNameException, InvalidS3PrefixException,
// S3BucketDoesNotExistException, InsufficientS3BucketPolicyException, AccessDeniedException
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartQuery.html).
func (s *Service) StartQuery(ctx context.Context, in *StartQueryInput) (*StartQueryOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkStart(c, in); err != nil {
		return nil, err
	}
	if s.engine == nil {
		return nil, awserr.New(unsupportedOperation, "%s", engine.ErrNoEngine.Error())
	}
	if err := s.roomForQuery(c); err != nil {
		return nil, err
	}
	var read []*storeRecord
	st, err := s.engine.Prepare(ctx, in.QueryStatement, func(id string) error {
		r, err := s.queryable(c, id)
		if err == nil {
			read = append(read, r)
		}
		return err
	})
	failed, err := s.prepared(err)
	if err != nil {
		return nil, err
	}
	d, err := s.checkDelivery(c, in.DeliveryS3Uri, read)
	if err != nil {
		return nil, err
	}
	q := &query{account: c.P.Account, region: c.Region, statement: in.QueryStatement, created: s.now().UTC(), delivery: d, done: make(chan struct{})}
	for _, r := range read {
		q.stores = append(q.stores, r.ARN())
		if err := s.loadStore(c, r); err != nil {
			return nil, err
		}
	}
	return s.launch(c, q, st, failed)
}

// prepared turns Prepare's error into StartQuery's: "" with nil for a query to run, "failed"
// with nil for one that ends FAILED at once, or the error to return.
func (s *Service) prepared(err error) (string, error) {
	var ae *awserr.Error
	switch {
	case err == nil:
		return "", nil
	case errors.As(err, &ae):
		return "", ae
	case errors.Is(err, engine.ErrNoEngine):
		return "", awserr.New(unsupportedOperation, "%s", err.Error())
	case errors.Is(err, engine.ErrInvalidStatement):
		return "", awserr.New(invalidQueryStatement, "%s", strings.TrimPrefix(err.Error(), engine.ErrInvalidStatement.Error()+": "))
	case errors.Is(err, engine.ErrQueryFailed):
		return strings.TrimPrefix(err.Error(), engine.ErrQueryFailed.Error()+": "), nil
	}
	return "", err
}

// queryable resolves a store a query names and checks that the caller may query it.
func (s *Service) queryable(c *call, id string) (*storeRecord, error) {
	r, err := s.find(c, id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, "StartQuery", r.ARN()); err != nil {
		return nil, err
	}
	if r.Status == StatusPendingDeletion {
		return nil, awserr.New(inactive, "The event data store %s is inactive.", r.ARN())
	}
	return r, s.callerKey(c, r)
}

// callerKey checks that the caller may use a store's KMS key as a reader of the store must
// ("users who query … need kms:Decrypt and kms:GenerateDataKey",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html),
// through CloudTrail in the store's Region, and that the key is usable. Any refusal is
// InsufficientEncryptionPolicyException, as the reader's (see unwrap).
func (s *Service) callerKey(c *call, r *storeRecord) error {
	if r.KMSKey == "" {
		return nil
	}
	ctx := kms.InRegion(authz.WithKeys(c.Ctx, authz.Map{"kms:ViaService": {"cloudtrail." + r.Region + ".amazonaws.com"}}), r.Region)
	_, err := s.exercise(ctx, r.KMSKey, map[string]string{"aws:cloudtrail:arn": r.ARN()}, c.P.ARN)
	if ae, ok := awserr.As(err); ok {
		return awserr.New(insufficientEncryption, "The data of event data store %s cannot be decrypted with KMS key %s for %s: %s",
			r.ARN(), r.KMSKey, c.P.ARN, strings.TrimSpace(ae.Message))
	}
	return err
}

// roomForQuery refuses an eleventh running query of the account in the Region, and forgets the
// queries older than seven days.
func (s *Service) roomForQuery(c *call) error {
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	for id, q := range s.q.byID {
		if !q.active() && s.now().Sub(q.created) > queryKept {
			delete(s.q.byID, id)
		}
	}
	return s.tooMany(c)
}

// tooMany is MaxConcurrentQueriesException when the account runs ten queries in the caller's
// Region. The caller holds s.q.mu.
func (s *Service) tooMany(c *call) error {
	n := 0
	for _, q := range s.q.byID {
		if q.active() && q.account == c.P.Account && q.region == c.Region {
			n++
		}
	}
	if n >= maxQueries {
		return awserr.New(maxConcurrentQueries, "You are already running the maximum number of concurrent queries (%d). Wait for some queries to finish, and then run the query again.", maxQueries)
	}
	return nil
}

// launch registers a query and runs it on a goroutine (a query whose Prepare failed, failed says
// why, ends FAILED at once).
func (s *Service) launch(c *call, q *query, st *engine.Statement, failed string) (*StartQueryOutput, error) {
	id, err := newID(s.rand)
	if err != nil {
		return nil, err
	}
	q.id = id
	ctx, cancel := context.WithTimeout(context.Background(), s.queryTimeout)
	q.cancel, q.status = cancel, QueryQueued
	if failed != "" {
		q.status, q.errMsg = QueryFailed, failed
	}
	s.q.mu.Lock()
	if err := s.tooMany(c); err != nil && failed == "" {
		// Another StartQuery took the last place while this one loaded its stores.
		s.q.mu.Unlock()
		cancel()
		return nil, err
	}
	s.q.byID[id] = q
	s.q.mu.Unlock()
	s.saveQuery(q)
	if failed != "" {
		cancel()
		s.deliverResults(q)
		close(q.done)
		return &StartQueryOutput{QueryID: id}, nil
	}
	go s.run(ctx, q, st)
	s.log.Info("lake query started", "query", id, "caller", c.P.ARN)
	return &StartQueryOutput{QueryID: id}, nil
}

// run runs a query until it ends, its context's timeout passes or CancelQuery cancels it.
func (s *Service) run(ctx context.Context, q *query, st *engine.Statement) {
	defer close(q.done)
	defer q.cancel()
	defer s.deliverResults(q) // once the query has ended and is stored
	s.q.mu.Lock()
	if q.status == QueryQueued {
		q.status = QueryRunning
	}
	s.q.mu.Unlock()
	if s.queryGate != nil {
		select {
		case <-s.queryGate:
		case <-ctx.Done():
		}
	}
	var res *engine.Result
	err := ctx.Err()
	if err == nil {
		res, err = st.Run(ctx)
	}
	s.ended(q, res, err)
	s.saveQuery(q)
}

// ended sets the status a query's run ended in.
func (s *Service) ended(q *query, res *engine.Result, err error) {
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	switch {
	case q.status == QueryCancelled:
	case err == nil:
		q.status, q.result = QueryFinished, res
	case errors.Is(err, context.DeadlineExceeded):
		q.status, q.errMsg = QueryTimedOut, fmt.Sprintf("Query timed out after %s.", s.queryTimeout)
	case errors.Is(err, context.Canceled):
		q.status = QueryCancelled
	case errors.Is(err, engine.ErrQueryFailed):
		q.status, q.errMsg = QueryFailed, strings.TrimPrefix(err.Error(), engine.ErrQueryFailed.Error()+": ")
	default:
		s.log.Error("lake query failed", "query", q.id, "err", err)
		q.status, q.errMsg = QueryFailed, "The query failed because of an internal error."
	}
}

// lookup finds the caller's query id names; with a store named (the deprecated EventDataStore
// member) the query must read it. Errors: QueryIdNotFoundException,
// EventDataStoreARNInvalidException, EventDataStoreNotFoundException,
// InactiveEventDataStoreException.
func (s *Service) lookup(c *call, in *QueryInput) (*query, error) {
	if in.EventDataStoreOwnerAccountID != "" && in.EventDataStoreOwnerAccountID != c.P.Account {
		return nil, awserr.New(invalidParameter, "EventDataStoreOwnerAccountId %s is not valid: keytrail queries the stores of the caller's account only.", in.EventDataStoreOwnerAccountID)
	}
	var named *storeRecord
	if in.EventDataStore != "" {
		r, err := s.find(c, in.EventDataStore)
		if err != nil {
			return nil, err
		}
		if r.Status == StatusPendingDeletion {
			return nil, awserr.New(inactive, "The event data store %s is inactive.", r.ARN())
		}
		named = r
	}
	s.q.mu.Lock()
	q := s.q.byID[in.QueryID]
	s.q.mu.Unlock()
	if q == nil && validQueryID(in.QueryID) {
		stored, err := s.storedQuery(c.Ctx, c.P.Account, c.Region, in.QueryID)
		if err != nil {
			return nil, err
		}
		if stored != nil {
			s.q.mu.Lock()
			if q = s.q.byID[in.QueryID]; q == nil {
				q = stored
				s.q.byID[in.QueryID] = q
			}
			s.q.mu.Unlock()
		}
	}
	if q == nil || s.now().Sub(q.created) > queryKept || q.account != c.P.Account || q.region != c.Region || (named != nil && !slices.Contains(q.stores, named.ARN())) {
		return nil, awserr.New(queryIDNotFound, "The query ID %s does not exist or does not map to a query.", in.QueryID)
	}
	return q, nil
}

// authorizeQuery authorizes action on each store a query reads.
func (s *Service) authorizeQuery(c *call, q *query, action string) error {
	for _, arn := range q.stores {
		if err := s.authorize(c, action, arn); err != nil {
			return err
		}
	}
	return nil
}

// target finds a query and authorizes action on it.
func (s *Service) queryTarget(ctx context.Context, action string, in *QueryInput) (*call, *query, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	q, err := s.lookup(c, in)
	if err != nil {
		return nil, nil, err
	}
	return c, q, s.authorizeQuery(c, q, action)
}

// DescribeQuery returns a query's status, statement and statistics, and for a query that saves
// its results, where to and how far it got (DeliveryS3Uri, DeliveryStatus). Authorized by identity
// policies (cloudtrail:DescribeQuery on each store it reads). Errors: QueryIdNotFoundException,
// InvalidParameterException (QueryAlias: keytrail has no dashboards),
// EventDataStoreARNInvalidException, EventDataStoreNotFoundException,
// InactiveEventDataStoreException, AccessDeniedException
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeQuery.html).
func (s *Service) DescribeQuery(ctx context.Context, in *DescribeQueryInput) (*DescribeQueryOutput, error) {
	if in.QueryAlias != "" || in.RefreshID != "" {
		return nil, awserr.New(invalidParameter, "QueryAlias and RefreshId name the queries of CloudTrail Lake dashboards, which keytrail does not have; give a QueryId.")
	}
	_, q, err := s.queryTarget(ctx, "DescribeQuery", &in.QueryInput)
	if err != nil {
		return nil, err
	}
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	out := &DescribeQueryOutput{QueryID: q.id, QueryString: q.statement, QueryStatus: q.status, ErrorMessage: q.errMsg,
		QueryStatistics: &DescribeQueryStatistics{CreationTime: awsjson.NewTime(q.created)}}
	if d := q.delivery; d != nil {
		out.DeliveryS3Uri, out.DeliveryStatus = d.uri, d.status
	}
	if res := q.result; res != nil {
		st := out.QueryStatistics
		st.EventsMatched, st.EventsScanned, st.BytesScanned = res.Stats.ResultsCount, res.Stats.EventsScanned, res.Stats.BytesScanned
		st.ExecutionTimeInMillis = res.Stats.ExecutionTime.Milliseconds()
	}
	return out, nil
}

// GetQueryResults returns a page of a finished query's rows (MaxQueryResults, at most 1000),
// or the status of one that is not. The caller must still be able to use the stores' KMS keys
// (as StartQuery). Authorized by identity policies (cloudtrail:GetQueryResults on each store
// it reads). Errors: QueryIdNotFoundException, InvalidMaxResultsException,
// InvalidNextTokenException, InsufficientEncryptionPolicyException,
// EventDataStoreARNInvalidException, EventDataStoreNotFoundException,
// InactiveEventDataStoreException, AccessDeniedException
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetQueryResults.html).
func (s *Service) GetQueryResults(ctx context.Context, in *GetQueryResultsInput) (*GetQueryResultsOutput, error) {
	page := maxPage
	if in.MaxQueryResults != nil {
		if *in.MaxQueryResults < 1 || *in.MaxQueryResults > maxPage {
			return nil, awserr.New(invalidMaxResults, "MaxQueryResults %d is not valid: it must be between 1 and %d.", *in.MaxQueryResults, maxPage)
		}
		page = *in.MaxQueryResults
	}
	c, q, err := s.queryTarget(ctx, "GetQueryResults", &in.QueryInput)
	if err != nil {
		return nil, err
	}
	from, err := resultsPageStart(q.id, in.NextToken)
	if err != nil {
		return nil, err
	}
	if err := s.queryKeys(c, q); err != nil {
		return nil, err
	}
	if err := s.loadRows(c.Ctx, q); err != nil {
		return nil, err
	}
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	out := &GetQueryResultsOutput{QueryStatus: q.status, ErrorMessage: q.errMsg}
	res := q.result
	if res == nil {
		return out, nil
	}
	if from > len(res.Rows) {
		return nil, awserr.New(invalidNextToken, "Invalid NextToken.")
	}
	to := min(from+page, len(res.Rows))
	out.QueryResultRows = ResultRows{Columns: res.Columns, Rows: res.Rows[from:to]}
	if to < len(res.Rows) {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(q.id + "/" + strconv.Itoa(to)))
	}
	out.QueryStatistics = &QueryStatistics{ResultsCount: int64(to - from), TotalResultsCount: int64(len(res.Rows)), BytesScanned: res.Stats.BytesScanned}
	return out, nil
}

// resultsPageStart reads GetQueryResults' NextToken: the query's ID and the first row of the page.
func resultsPageStart(id, token string) (int, error) {
	if token == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	rest, ok := strings.CutPrefix(string(b), id+"/")
	n, nerr := strconv.Atoi(rest)
	if err != nil || !ok || nerr != nil || n < 0 {
		return 0, awserr.New(invalidNextToken, "Invalid NextToken.")
	}
	return n, nil
}

// queryKeys checks the caller's use of the KMS keys of the stores a query reads.
func (s *Service) queryKeys(c *call, q *query) error {
	for _, arn := range q.stores {
		r, err := s.find(c, arn)
		if err != nil {
			return err
		}
		if err := s.callerKey(c, r); err != nil {
			return err
		}
	}
	return nil
}

// ListQueries lists the queries of the past seven days that read a store, newest first, in
// pages of MaxResults (1–1000), optionally only those created from StartTime to EndTime and
// those in one QueryStatus. Authorized by identity policies (cloudtrail:ListQueries on the
// store). Errors: EventDataStoreARNInvalidException, EventDataStoreNotFoundException,
// InactiveEventDataStoreException, InvalidDateRangeException, InvalidMaxResultsException,
// InvalidNextTokenException, InvalidQueryStatusException, AccessDeniedException
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_ListQueries.html).
func (s *Service) ListQueries(ctx context.Context, in *ListQueriesInput) (*ListQueriesOutput, error) {
	if err := checkList(in); err != nil {
		return nil, err
	}
	c, r, err := s.target(ctx, "ListQueries", in.EventDataStore, false)
	if err != nil {
		return nil, err
	}
	if r.Status == StatusPendingDeletion {
		return nil, awserr.New(inactive, "The event data store %s is inactive.", r.ARN())
	}
	list := s.listed(c, r, in)
	start := 0
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		i := slices.IndexFunc(list, func(q QuerySummary) bool { return q.QueryID == string(b) })
		if err != nil || i < 0 {
			return nil, awserr.New(invalidNextToken, "Invalid NextToken.")
		}
		start = i + 1
	}
	out := &ListQueriesOutput{Queries: list[start:]}
	if in.MaxResults != nil && len(out.Queries) > *in.MaxResults {
		out.Queries = out.Queries[:*in.MaxResults]
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(out.Queries[len(out.Queries)-1].QueryID))
	}
	return out, nil
}

func checkList(in *ListQueriesInput) error {
	switch in.QueryStatus {
	case "", QueryQueued, QueryRunning, QueryFinished, QueryFailed, QueryCancelled, QueryTimedOut:
	default:
		return awserr.New(invalidQueryStatus, "QueryStatus %s is not valid: it must be one of QUEUED, RUNNING, FINISHED, FAILED, CANCELLED, TIMED_OUT.", in.QueryStatus)
	}
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 1000) {
		return awserr.New(invalidMaxResults, "MaxResults %d is not valid: it must be between 1 and 1000.", *in.MaxResults)
	}
	if in.StartTime != nil && in.EndTime != nil && time.Time(*in.StartTime).After(time.Time(*in.EndTime)) {
		return awserr.New(invalidDateRange, "StartTime must be before EndTime.")
	}
	return nil
}

// listed returns the caller's queries of the past seven days that read r and pass in's filters,
// newest first.
func (s *Service) listed(c *call, r *storeRecord, in *ListQueriesInput) []QuerySummary {
	s.q.mu.Lock()
	inMemory := func(id string) bool { return s.q.byID[id] != nil }
	all := slices.Collect(maps.Values(s.q.byID))
	all = append(all, s.storedQueries(c.Ctx, c.P.Account, c.Region, inMemory)...)
	var qs []*query
	for _, q := range all {
		switch {
		case q.account != c.P.Account || q.region != c.Region || !slices.Contains(q.stores, r.ARN()):
		case s.now().Sub(q.created) > queryKept:
		case in.StartTime != nil && q.created.Before(time.Time(*in.StartTime)):
		case in.EndTime != nil && q.created.After(time.Time(*in.EndTime)):
		case in.QueryStatus != "" && q.status != in.QueryStatus:
		default:
			qs = append(qs, q)
		}
	}
	out := make([]QuerySummary, 0, len(qs))
	slices.SortFunc(qs, func(a, b *query) int {
		if c := b.created.Compare(a.created); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	for _, q := range qs {
		out = append(out, QuerySummary{QueryID: q.id, QueryStatus: q.status, CreationTime: awsjson.NewTime(q.created)})
	}
	s.q.mu.Unlock()
	return out
}

// CancelQuery cancels a QUEUED or RUNNING query, which ends CANCELLED. Authorized by identity
// policies (cloudtrail:CancelQuery on each store it reads). Errors: QueryIdNotFoundException,
// InactiveQueryException (a query that has ended), EventDataStoreARNInvalidException,
// EventDataStoreNotFoundException, InactiveEventDataStoreException, AccessDeniedException
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CancelQuery.html).
func (s *Service) CancelQuery(ctx context.Context, in *QueryInput) (*CancelQueryOutput, error) {
	_, q, err := s.queryTarget(ctx, "CancelQuery", in)
	if err != nil {
		return nil, err
	}
	s.q.mu.Lock()
	if !q.active() {
		s.q.mu.Unlock()
		return nil, awserr.New(inactiveQuery, "Query %s cannot be cancelled because it is %s.", q.id, q.status)
	}
	q.status = QueryCancelled
	q.cancel()
	s.q.mu.Unlock()
	s.saveQuery(q)
	return &CancelQueryOutput{QueryID: q.id, QueryStatus: QueryCancelled}, nil
}

// WaitQuery waits until the caller's query has ended (FINISHED, FAILED, CANCELLED or
// TIMED_OUT) or ctx ends, for in-process callers that would otherwise poll DescribeQuery.
// Errors: QueryIdNotFoundException, ctx's error.
func (s *Service) WaitQuery(ctx context.Context, id string) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	q, err := s.lookup(c, &QueryInput{QueryID: id})
	if err != nil {
		return err
	}
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
