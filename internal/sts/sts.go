// Package sts implements the slice of AWS Security Token Service keytrail serves:
// GetCallerIdentity, and AssumeRole issuing temporary credentials (ASIA… key, secret, session
// token) whose caller ARN is arn:aws:sts::<account>:assumed-role/<role>/<session> and whose expiry
// is enforced when they sign a request.
//
// AWS references:
//   - https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
//   - https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
package sts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/model"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/protocol/awsquery"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/seal"
	"github.com/keytrail/keytrail/internal/store"
)

// API version and XML namespace of STS's query protocol.
const (
	APIVersion = "2011-06-15"
	Namespace  = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// sessions holds the temporary credentials AssumeRole issued, by access key ID.
var sessions = store.Table[session]{Name: "sts.sessions"}

// Session duration limits (seconds).
const (
	minDuration      = 900
	maxDuration      = 43200
	defaultDuration  = 3600
	chainingDuration = 3600
	maxSessionPolicy = 2048
)

// Config configures a Service.
type Config struct {
	DB         store.DB
	Barrier    *seal.Barrier
	Authorizer authz.Authorizer
	IAM        *iam.Service
	Policies   *policy.Cache // compiles trust and session policies once; a new cache when nil
	Now        func() time.Time
	Rand       io.Reader
}

// Service is STS.
type Service struct {
	db      store.DB
	barrier *seal.Barrier
	az      authz.Authorizer
	iam     *iam.Service
	pol     *policy.Cache
	now     func() time.Time
	rand    io.Reader
}

// New returns an STS service.
func New(cfg Config) *Service {
	s := &Service{db: cfg.DB, barrier: cfg.Barrier, az: cfg.Authorizer, iam: cfg.IAM, pol: cfg.Policies, now: cfg.Now, rand: cfg.Rand}
	if s.pol == nil {
		s.pol = policy.NewCache(256)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s
}

// API returns STS's operation table for the query protocol.
func (s *Service) API() *awsquery.Service {
	return &awsquery.Service{
		Name:      "sts",
		Version:   APIVersion,
		Namespace: Namespace,
		Operations: map[string]awsquery.Handler{
			"GetCallerIdentity": awsquery.Handle(s.GetCallerIdentity).ReadOnly(),
			"AssumeRole":        awsquery.Handle(s.AssumeRole),
		},
	}
}

// GetCallerIdentityInput is the (empty) GetCallerIdentity request.
type GetCallerIdentityInput struct{}

// GetCallerIdentityOutput is the GetCallerIdentity response.
type GetCallerIdentityOutput struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

// GetCallerIdentity returns the caller's user ID, account and ARN. Like AWS, it needs no
// permission: no policy can deny it.
func (s *Service) GetCallerIdentity(ctx context.Context, _ *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
	p, ok := identity.FromContext(ctx)
	if !ok || p.Account == "" {
		return nil, awserr.New(awserr.AccessDenied, "The request carries no authenticated caller.")
	}
	return &GetCallerIdentityOutput{UserID: p.PrincipalID, Account: p.Account, Arn: p.ARN}, nil
}

// AssumeRoleInput is the AssumeRole request.
type AssumeRoleInput struct {
	RoleArn         string
	RoleSessionName string
	DurationSeconds *int32
	Policy          string
	ExternalID      string `query:"ExternalId"`
}

// Credentials are temporary security credentials.
type Credentials struct {
	AccessKeyID     string    `xml:"AccessKeyId"`
	SecretAccessKey string    `xml:"SecretAccessKey"`
	SessionToken    string    `xml:"SessionToken"`
	Expiration      time.Time `xml:"Expiration"`
}

// AssumedRoleUser identifies the session.
type AssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

// AssumeRoleOutput is the AssumeRole response.
type AssumeRoleOutput struct {
	Credentials      *Credentials     `xml:"Credentials"`
	AssumedRoleUser  *AssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize *int32           `xml:"PackedPolicySize,omitempty"`
}

var (
	roleARNPattern     = regexp.MustCompile(`^arn:aws:iam::([0-9]{12}):role(/|/[\x21-\x7E]*/)([\w+=,.@-]{1,64})$`)
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	externalIDPattern  = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// AssumeRole issues temporary credentials for a role, if the caller may assume it.
// Errors: ValidationError, MalformedPolicyDocument, PackedPolicyTooLarge, AccessDenied.
func (s *Service) AssumeRole(ctx context.Context, in *AssumeRoleInput) (*AssumeRoleOutput, error) {
	m, duration, err := validateAssumeRole(in)
	if err != nil {
		return nil, err
	}
	if in.Policy != "" {
		if policy.CheckSize(in.Policy, policy.Session, maxSessionPolicy) != nil {
			return nil, &awserr.Error{Code: awserr.PackedPolicyTooLarge, Message: "Packed policy consumes more than 100% of the allotted space."}
		}
		if _, err := s.pol.Parse(in.Policy, policy.Session); err != nil {
			return nil, awserr.New(awserr.MalformedPolicyDocument, "%s", err.Error())
		}
	}
	p, ok := identity.FromContext(ctx)
	if !ok || p.Account == "" {
		return nil, awserr.New(awserr.AccessDenied, "The request carries no authenticated caller.")
	}
	asked := authz.Request{Principal: p, Action: "sts:AssumeRole", Resource: in.RoleArn}
	denied := func() error {
		return authz.Refuse(ctx, s.az, asked, awserr.AccessDenied,
			"no role of this name and path trusts the caller: STS answers a role that does not exist as it answers one whose trust policy does not allow the caller",
			authz.DeniedMessage(asked, authz.Decision{PolicyType: authz.ResourceBased}))
	}
	if p.Type == identity.Root {
		return nil, authz.Refuse(ctx, s.az, asked, awserr.AccessDenied, "an account's root user cannot assume a role; sign as an IAM user or a role session of the account",
			"Roles may not be assumed by root accounts.")
	}
	account, path, name := m[1], m[2], m[3]
	role, err := s.iam.RoleForSession(ctx, account, name)
	if awserr.HasCode(err, awserr.NoSuchEntity) {
		return nil, denied() // STS does not reveal whether a role exists
	}
	if err != nil {
		return nil, err
	}
	if !strings.Contains(role.ARN, ":role"+path) {
		return nil, denied()
	}
	trust, err := s.pol.Parse(role.TrustPolicy, policy.Trust)
	if err != nil {
		return nil, denied() // a stored trust policy that no longer parses trusts no one
	}
	// The one authorization call: may the caller assume this role under its trust policy (and,
	// across accounts, its own identity policies)?
	req := authz.Request{Principal: p, Action: "sts:AssumeRole", Resource: role.ARN, ResourceAccount: role.Account,
		ResourcePolicy: trust, Recorded: []request.Resource{{Type: "AWS::IAM::Role", ARN: role.ARN, Account: role.Account}}}
	keys := authz.Map{"sts:RoleSessionName": {in.RoleSessionName}}
	req.Context = keys
	if in.ExternalID != "" {
		keys["sts:ExternalId"] = []string{in.ExternalID}
	}
	if err := authz.Require(ctx, s.az, req, awserr.AccessDenied); err != nil {
		return nil, err
	}
	if duration > role.MaxSessionDuration {
		return nil, awserr.New(awserr.ValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if p.Type == identity.AssumedRole && duration > chainingDuration {
		return nil, awserr.New(awserr.ValidationError, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	return s.issue(ctx, role, in.RoleSessionName, in.Policy, time.Duration(duration)*time.Second)
}

// validateAssumeRole checks AssumeRole's parameters against the constraints of the API
// reference, returning the role ARN's parts (account, path, name) and the session duration.
func validateAssumeRole(in *AssumeRoleInput) (roleARN []string, duration int32, err error) {
	v := model.Validation("sts")
	roleARN = roleARNPattern.FindStringSubmatch(in.RoleArn)
	if v.Required("roleArn", in.RoleArn) && roleARN == nil {
		v.Constraint("roleArn", in.RoleArn, "Member must be a role ARN of the form arn:aws:iam::<account>:role/<name>")
	}
	if v.Required("roleSessionName", in.RoleSessionName) && !sessionNamePattern.MatchString(in.RoleSessionName) {
		v.Constraint("roleSessionName", in.RoleSessionName, `Member must satisfy regular expression pattern: [\w+=,.@-]* and have length between 2 and 64`)
	}
	duration = defaultDuration
	if in.DurationSeconds != nil {
		duration = *in.DurationSeconds
		if duration < minDuration || duration > maxDuration {
			v.Constraint("durationSeconds", duration, "Member must have value between 900 and 43200")
		}
	}
	if in.ExternalID != "" && (len(in.ExternalID) < 2 || len(in.ExternalID) > 1224 || !externalIDPattern.MatchString(in.ExternalID)) {
		v.Constraint("externalId", in.ExternalID, `Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`)
	}
	return roleARN, duration, v.Err()
}

// session is the stored form of temporary credentials (format version 1). The secret is sealed;
// only a hash of the session token is kept.
type session struct {
	store.Version
	ID          string    `json:"id"`
	Account     string    `json:"account"`
	RoleName    string    `json:"roleName"`
	RoleARN     string    `json:"roleArn"`
	RoleID      string    `json:"roleId"`
	SessionName string    `json:"sessionName"`
	Secret      []byte    `json:"secret"`
	TokenHash   string    `json:"tokenHash"`
	Issued      time.Time `json:"issued"`
	Expiration  time.Time `json:"expiration"`
	Policy      string    `json:"policy,omitempty"`

	// Console sessions: the signed-in IAM user or root the credentials act as (Type IAMUser or
	// Root; empty for a role session).
	Type        identity.Type `json:"type,omitempty"`
	ARN         string        `json:"arn,omitempty"`
	PrincipalID string        `json:"principalId,omitempty"`
	UserName    string        `json:"userName,omitempty"`
}

func sealPurpose(id string) string { return "sts/session/" + id }

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *Service) issue(ctx context.Context, role *iam.RoleInfo, sessionName, policy string, d time.Duration) (*AssumeRoleOutput, error) {
	rec := &session{Account: role.Account, RoleName: role.Name, RoleARN: role.ARN, RoleID: role.ID, SessionName: sessionName, Policy: policy}
	creds, err := s.mint(ctx, rec, d)
	if err != nil {
		return nil, err
	}
	out := &AssumeRoleOutput{
		Credentials:     creds,
		AssumedRoleUser: &AssumedRoleUser{AssumedRoleID: role.ID + ":" + sessionName, Arn: sessionARN(role.Account, role.Name, sessionName)},
	}
	if policy != "" {
		size := int32(len(policy) * 100 / maxSessionPolicy)
		out.PackedPolicySize = &size
	}
	return out, nil
}

// mint gives rec a new ASIA… access key, secret and session token valid for d from now, stores
// it (the secret sealed, the token hashed) and returns the credentials.
func (s *Service) mint(ctx context.Context, rec *session, d time.Duration) (*Credentials, error) {
	id, err := iam.NewID(s.rand, "ASIA", 16)
	if err != nil {
		return nil, err
	}
	secret, err := iam.NewSecret(s.rand)
	if err != nil {
		return nil, err
	}
	tokenBytes := make([]byte, 96)
	if _, err := io.ReadFull(s.rand, tokenBytes); err != nil {
		return nil, fmt.Errorf("sts: random: %w", err)
	}
	token := base64.StdEncoding.EncodeToString(tokenBytes)
	sealed, err := s.barrier.Seal([]byte(secret), sealPurpose(id))
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	rec.ID, rec.Secret, rec.TokenHash, rec.Issued, rec.Expiration = id, sealed, tokenHash(token), now, now.Add(d)
	if err := s.db.Update(ctx, func(tx store.Tx) error { return sessions.Put(tx, rec.ID, rec) }); err != nil {
		return nil, err
	}
	return &Credentials{AccessKeyID: rec.ID, SecretAccessKey: secret, SessionToken: token, Expiration: rec.Expiration}, nil
}

// ConsoleSession issues temporary credentials for a console sign-in of p, an IAM user or an
// account's root, valid for d: requests they sign act as p itself (its own policies, its own
// ARN), as credentials from GetSessionToken do
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html), and CloudTrail
// records them with sessionCredentialFromConsole. It is not an API operation: the console calls
// it once the password is checked.
func (s *Service) ConsoleSession(ctx context.Context, p identity.Principal, d time.Duration) (*Credentials, error) {
	if p.Type != identity.IAMUser && p.Type != identity.Root {
		return nil, fmt.Errorf("sts: a console session is for an IAM user or a root, not %s", p.Type)
	}
	rec := &session{Account: p.Account, Type: p.Type, ARN: p.ARN, PrincipalID: p.PrincipalID, UserName: p.UserName}
	return s.mint(ctx, rec, d)
}

// EndSession revokes temporary credentials at once (a console sign-out): requests they sign are
// refused from then on.
func (s *Service) EndSession(ctx context.Context, id string) error {
	return s.db.Update(ctx, func(tx store.Tx) error { return sessions.Delete(tx, id) })
}

func sessionARN(account, role, session string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session
}

// Errors of SessionCredential.
var (
	ErrNoSuchSession = errors.New("sts: no such temporary access key")
	ErrBadToken      = errors.New("sts: session token missing or wrong")
	ErrExpired       = errors.New("sts: temporary credentials expired")
)

// SessionCredential returns the secret and principal of temporary credentials, for SigV4
// verification, checking the session token and the expiry.
func (s *Service) SessionCredential(ctx context.Context, id, token string) (string, identity.Principal, error) {
	var rec *session
	err := s.db.View(ctx, func(tx store.Tx) (err error) {
		rec, err = sessions.Get(tx, id)
		return err
	})
	if err != nil {
		return "", identity.Principal{}, err
	}
	if rec == nil {
		return "", identity.Principal{}, ErrNoSuchSession
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(tokenHash(token)), []byte(rec.TokenHash)) != 1 {
		return "", identity.Principal{}, ErrBadToken
	}
	if !s.now().Before(rec.Expiration) {
		return "", identity.Principal{}, ErrExpired
	}
	secret, err := s.barrier.Open(rec.Secret, sealPurpose(rec.ID))
	if err != nil {
		return "", identity.Principal{}, fmt.Errorf("sts: open session secret: %w", err)
	}
	if rec.Type != "" {
		return string(secret), identity.Principal{
			Type: rec.Type, Account: rec.Account, ARN: rec.ARN, PrincipalID: rec.PrincipalID, AccessKeyID: rec.ID,
			UserName: rec.UserName, SessionIssued: rec.Issued, Console: true,
		}, nil
	}
	return string(secret), identity.Principal{
		Type: identity.AssumedRole, Account: rec.Account, ARN: sessionARN(rec.Account, rec.RoleName, rec.SessionName),
		PrincipalID: rec.RoleID + ":" + rec.SessionName, AccessKeyID: rec.ID,
		RoleName: rec.RoleName, RoleARN: rec.RoleARN, RoleID: rec.RoleID, SessionName: rec.SessionName,
		SessionIssued: rec.Issued, SessionPolicy: rec.Policy,
	}, nil
}
