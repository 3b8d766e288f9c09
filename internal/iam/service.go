package iam

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/model"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/seal"
	"github.com/keytrail/keytrail/internal/store"
)

// Tables this package owns.
const (
	tableAccounts   = "accounts"
	tableUsers      = "iam.users"
	tableRoles      = "iam.roles"
	tableGroups     = "iam.groups"
	tablePolicies   = "iam.policies"
	tableAccessKeys = "iam.access-keys"
	tableUserKeys   = "iam.user-access-keys" // index: <account>/<user>/<key ID>
)

// Config configures a Service.
type Config struct {
	DB         store.DB
	Barrier    *seal.Barrier
	Authorizer authz.Authorizer
	Now        func() time.Time // defaults to time.Now
	Rand       io.Reader        // defaults to crypto/rand
	// PasswordIterations is the PBKDF2 work factor of new console passwords (0: 600 000, the
	// product's). Tests lower it: the hash is slow on purpose.
	PasswordIterations int
}

// Service is IAM.
type Service struct {
	db       store.DB
	barrier  *seal.Barrier
	az       authz.Authorizer
	now      func() time.Time
	rand     io.Reader
	pwIter   int      // PBKDF2 iterations of new passwords
	accounts sync.Map // account IDs known to exist

	// gen counts committed IAM writes. The caches of credentials and identity policies remember
	// the generation they were read at and are read again once it has moved on.
	gen    atomic.Uint64
	creds  sync.Map // access key ID → cachedCredential
	idDocs sync.Map // principal → cachedDocuments
}

// update runs a write transaction; every write, committed or not, moves the generation on.
func (s *Service) update(ctx context.Context, fn func(store.Tx) error) error {
	defer s.gen.Add(1)
	return s.db.Update(ctx, fn)
}

// New returns an IAM service.
func New(cfg Config) *Service {
	s := &Service{db: cfg.DB, barrier: cfg.Barrier, az: cfg.Authorizer, now: cfg.Now, rand: cfg.Rand, pwIter: cfg.PasswordIterations}
	if s.pwIter <= 0 {
		s.pwIter = passwordIterations
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s
}

// caller returns the principal a context carries.
func caller(ctx context.Context) (identity.Principal, error) {
	p, ok := identity.FromContext(ctx)
	if !ok || p.Account == "" {
		return identity.Principal{}, awserr.New(awserr.AccessDenied, "The request carries no authenticated caller.")
	}
	return p, nil
}

// authorize is the one authorization call of every IAM operation: may the caller perform
// iam:<action> on resource (an ARN in the caller's account)?
func (s *Service) authorize(ctx context.Context, p identity.Principal, action, resource string) error {
	return s.authorizeWith(ctx, p, action, resource, nil)
}

// authorizeWith is authorize with the operation's own condition keys (iam:PermissionsBoundary).
func (s *Service) authorizeWith(ctx context.Context, p identity.Principal, action, resource string, keys authz.Map) error {
	req := authz.Request{Principal: p, Action: "iam:" + action, Resource: resource, ResourceAccount: p.Account}
	if keys != nil {
		req.Context = keys
	}
	return authz.Require(ctx, s.az, req, awserr.AccessDenied)
}

// allow is caller + authorize: it returns the caller if it may perform iam:<action> on the
// resource that resourceIn names for the caller's account.
func (s *Service) allow(ctx context.Context, action string, resourceIn func(account string) string) (identity.Principal, error) {
	return s.allowWith(ctx, action, nil, resourceIn)
}

// allowWith is allow with the operation's own condition keys.
func (s *Service) allowWith(ctx context.Context, action string, keys authz.Map, resourceIn func(account string) string) (identity.Principal, error) {
	p, err := caller(ctx)
	if err != nil {
		return identity.Principal{}, err
	}
	return p, s.authorizeWith(ctx, p, action, resourceIn(p.Account), keys)
}

// EnsureAccount records that an account exists (accounts come into being on first use).
func (s *Service) EnsureAccount(ctx context.Context, account string) error {
	if _, ok := s.accounts.Load(account); ok {
		return nil
	}
	err := s.update(ctx, func(tx store.Tx) error {
		switch old, err := accountRecords.Get(tx, account); {
		case err != nil:
			return err
		case old != nil:
			return nil
		}
		return accountRecords.Put(tx, account, &accountRecord{ID: account, Created: s.stamp()})
	})
	if err == nil {
		s.accounts.Store(account, true)
	}
	return err
}

// accountRecord is the stored form of an account (format version 1).
type accountRecord struct {
	store.Version
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
}

// accountRecords is the table of accounts by ID.
var accountRecords = store.Table[accountRecord]{Name: tableAccounts}

// now returns the current time as IAM reports it (UTC, whole seconds).
func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Second) }

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func (s *Service) newID(prefix string, n int) (string, error) { return NewID(s.rand, prefix, n) }

// NewID returns prefix + n random characters of the IAM ID alphabet (AIDA…, AROA…, AKIA…, ASIA…).
func NewID(r io.Reader, prefix string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("iam: random: %w", err)
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return prefix + string(b), nil
}

const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// NewSecret returns a random 40-character secret access key.
func NewSecret(r io.Reader) (string, error) {
	b := make([]byte, 40)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("iam: random: %w", err)
	}
	for i := range b {
		b[i] = secretAlphabet[int(b[i])%len(secretAlphabet)]
	}
	return string(b), nil
}

// EncodeDocument returns a policy document as IAM returns it: URL-encoded (RFC 3986).
func EncodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// Input checks. The gateway checks every request against IAM's model before the operation runs
// (model.ValidateQuery), so on the wire these answer only where IAM is stricter than its model
// (user names of at most 64 characters in every operation, access keys Active or Inactive). They
// stay for in-process callers, which no model check has seen, where what they guard is kept:
// names and paths make store keys and ARNs, a page has at least one item, a session lasts 1 to 12
// hours, a Put…PermissionsBoundary without a boundary is not a Delete. The model's other checks
// (document and description length and characters, access key IDs, policy ARNs' length, version
// IDs, Scope, PathPrefix) are not repeated: in-process, such a value is kept as given (a
// description), finds nothing, or is refused by the policy parser. Messages are AWS's
// (ValidationError, https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html).

var (
	namePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathPattern = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
)

// newValidation returns a builder of IAM's ValidationError.
func newValidation() *awserr.Validation { return model.Validation("iam") }

// checkName checks a required IAM name ([\w+=,.@-]+, 1..limit characters).
func checkName(v *awserr.Validation, field, value string, limit int) {
	if v.Required(field, value) {
		checkNameForm(v, field, value, limit)
	}
}

// checkNameForm checks the form of an IAM name that is present.
func checkNameForm(v *awserr.Validation, field, value string, limit int) {
	switch {
	case utf8.RuneCountInString(value) > limit:
		v.Constraint(field, value, fmt.Sprintf("Member must have length less than or equal to %d", limit))
	case !namePattern.MatchString(value):
		v.Constraint(field, value, `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
}

// checkPath checks an optional IAM path (/ or /…/).
func checkPath(v *awserr.Validation, field, value string) {
	if value == "" {
		return
	}
	if len(value) > 512 || !pathPattern.MatchString(value) {
		v.Constraint(field, value, `Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	}
}

// checkMaxItems checks a page size (1..1000).
func checkMaxItems(v *awserr.Validation, value *int32) {
	if value != nil && (*value < 1 || *value > 1000) {
		v.Constraint("maxItems", *value, "Member must have value between 1 and 1000")
	}
}

// checkPolicyDocument validates a document as the given kind of policy within its size quota:
// MalformedPolicyDocument with the engine's reason, or LimitExceeded.
func checkPolicyDocument(doc string, kind policy.Kind, limit int) error {
	if err := policy.CheckSize(doc, kind, limit); err != nil {
		return awserr.New(awserr.LimitExceeded, "%s", err.Error())
	}
	if _, err := policy.Parse(doc, kind); err != nil {
		var se *policy.SizeError
		if errors.As(err, &se) {
			return awserr.New(awserr.LimitExceeded, "%s", err.Error())
		}
		return awserr.New(awserr.MalformedPolicyDocument, "%s", err.Error())
	}
	return nil
}

// page returns the items after marker, at most max (default 100; never nil), and the page state:
// whether more remain and the marker for the next page. Markers are the key of the last item
// returned.
func page[T any](items []T, key func(T) string, pg Paging) ([]T, PageInfo) {
	limit := 100
	if pg.MaxItems != nil {
		limit = int(*pg.MaxItems)
	}
	start := 0
	if pg.Marker != "" {
		for start < len(items) && key(items[start]) <= pg.Marker {
			start++
		}
	}
	items = items[start:]
	if len(items) > limit {
		return append([]T{}, items[:limit]...), PageInfo{IsTruncated: true, Marker: key(items[limit-1])}
	}
	return append([]T{}, items...), PageInfo{}
}

// each returns f of every item, in order (never nil): the response shapes of a page of records.
func each[T, U any](items []T, f func(T) U) []U {
	out := make([]U, 0, len(items))
	for _, it := range items {
		out = append(out, f(it))
	}
	return out
}
