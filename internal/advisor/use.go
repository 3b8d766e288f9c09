package advisor

import (
	"regexp"
	"slices"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
)

// Use is what a key is meant for: the requirements a policy check tests.
type Use struct {
	// KeyARN is the key the policy belongs to (arn:aws:kms:<region>:<account>:key/<id>): its
	// account decides which uses are cross-account, its region is where CloudTrail calls KMS.
	KeyARN string
	// KeyAssumed says KeyARN is a stand-in (the key's ARN was not given): a finding refused on a
	// statement's Resource says to give it.
	KeyAssumed bool
	// Trails encrypt their log files with the key.
	Trails []Trail
	// EventDataStores are the ARNs of event data stores encrypted with the key.
	EventDataStores []string
	// Readers are the principals that read the logs (decrypt log files, query the stores): IAM
	// users and roles by ARN, role sessions by their assumed-role ARN, accounts by root ARN or ID.
	Readers []string
	// Accounts are other accounts whose trails encrypt with the key and whose principals read
	// their logs.
	Accounts []string
}

// Trail is a trail that encrypts its log files with the key, and where it delivers them.
type Trail struct {
	ARN       string // arn:aws:cloudtrail:<region>:<account>:trail/<name>
	Bucket    string // the bucket its log files go to; "" for DefaultBucket(account)
	Prefix    string // its S3 key prefix, if any
	BucketKey bool   // the bucket encrypts with an S3 Bucket Key
}

// DefaultBucket is the bucket assumed for a trail of account whose bucket is not given. Only the
// encryption context (aws:s3:arn) names it.
func DefaultBucket(account string) string { return "cloudtrail-logs-" + account }

// accountTrailName names the trail assumed for an account given without a trail.
const accountTrailName = "any-trail"

var (
	keyARNPattern   = regexp.MustCompile(`^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/[A-Za-z0-9-]+$`)
	trailARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail/[A-Za-z0-9._-]{3,128}$`)
	storeARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):eventdatastore/[A-Za-z0-9._-]+$`)
	bucketPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	iamARNPattern   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):(root|user/(?:[\x21-\x7e]*/)?[\w+=,.@-]{1,64}|role/(?:[\x21-\x7e]*/)?[\w+=,.@-]{1,64})$`)
	sessionPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:sts::(\d{12}):assumed-role/([\w+=,.@-]{1,64})/([\w+=,.@-]{2,64})$`)
)

func invalid(format string, args ...any) error {
	return awserr.New(awserr.ValidationException, format, args...)
}

// use is a validated Use, with what its ARNs say.
type use struct {
	Use
	keyRegion, keyAccount string
	trails                []trail
	stores                []store
	readers               []reader
}

type trail struct {
	Trail
	region, account string
	anyTrail        bool // stands for every trail of an account given with --account
}

type store struct {
	arn, region, account string
}

type reader struct {
	arn  string // as given (an account ID becomes its root ARN)
	p    identity.Principal
	only string // an account given with --account stands for the readers of its own trails only
}

// validate checks a Use and reads its ARNs.
func validate(in Use) (*use, error) {
	u := &use{Use: in}
	for _, t := range in.Trails {
		m := trailARNPattern.FindStringSubmatch(t.ARN)
		if m == nil {
			return nil, invalid("Trail %q is not a trail ARN (arn:aws:cloudtrail:<region>:<account>:trail/<name>).", t.ARN)
		}
		if t.Bucket == "" {
			t.Bucket = DefaultBucket(m[2])
		}
		if !bucketPattern.MatchString(t.Bucket) {
			return nil, invalid("Bucket %q is not a valid bucket name.", t.Bucket)
		}
		u.trails = append(u.trails, trail{Trail: t, region: m[1], account: m[2]})
	}
	for _, s := range in.EventDataStores {
		m := storeARNPattern.FindStringSubmatch(s)
		if m == nil {
			return nil, invalid("EventDataStore %q is not an event data store ARN (arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>).", s)
		}
		u.stores = append(u.stores, store{arn: s, region: m[1], account: m[2]})
	}
	for _, r := range in.Readers {
		p, err := Principal(r)
		if err != nil {
			return nil, err
		}
		u.readers = append(u.readers, reader{arn: r, p: p})
	}
	// The key last: a command line derives it from the trails and stores, whose errors come first.
	m := keyARNPattern.FindStringSubmatch(in.KeyARN)
	if m == nil {
		return nil, invalid("KeyARN %q is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>).", in.KeyARN)
	}
	u.keyRegion, u.keyAccount = m[1], m[2]
	for _, a := range in.Accounts {
		if !identity.IsAccountID(a) {
			return nil, invalid("Account %q is not a 12-digit account ID.", a)
		}
		if slices.ContainsFunc(u.trails, func(t trail) bool { return t.account == a }) {
			continue // its named trails stand for it
		}
		arn := "arn:aws:cloudtrail:" + u.keyRegion + ":" + a + ":trail/" + accountTrailName
		u.trails = append(u.trails, trail{Trail: Trail{ARN: arn, Bucket: DefaultBucket(a)}, region: u.keyRegion, account: a, anyTrail: true})
	}
	for _, a := range in.Accounts {
		if a != u.keyAccount && !slices.ContainsFunc(u.readers, func(r reader) bool { return r.p.Account == a }) {
			u.readers = append(u.readers, reader{arn: identity.RootARN(a), p: identity.AccountRoot(a), only: a})
		}
	}
	return u, nil
}

// Principal is the caller a reader's ARN stands for, as keytrail's STS and IAM would make it: an
// account (ID or root ARN), an IAM user, a role (a session of it named "policy-check") or a role
// session.
func Principal(arn string) (identity.Principal, error) {
	if identity.IsAccountID(arn) {
		return identity.AccountRoot(arn), nil
	}
	if m := sessionPattern.FindStringSubmatch(arn); m != nil {
		roleARN := "arn:aws:iam::" + m[1] + ":role/" + m[2]
		return session(m[1], m[2], roleARN, m[3]), nil
	}
	m := iamARNPattern.FindStringSubmatch(arn)
	if m == nil {
		return identity.Principal{}, invalid("Reader %q is not an account ID or an IAM user, role, root or assumed-role ARN.", arn)
	}
	account, rest := m[1], m[2]
	switch {
	case rest == "root":
		return identity.AccountRoot(account), nil
	case strings.HasPrefix(rest, "user/"):
		name := rest[strings.LastIndexByte(rest, '/')+1:]
		return identity.Principal{Type: identity.IAMUser, Account: account, ARN: arn, UserName: name}, nil
	}
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	return session(account, name, arn, "policy-check"), nil
}

func session(account, role, roleARN, name string) identity.Principal {
	return identity.Principal{Type: identity.AssumedRole, Account: account, ARN: "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + name,
		RoleName: role, RoleARN: roleARN, SessionName: name}
}
