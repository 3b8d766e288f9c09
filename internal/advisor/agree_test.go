package advisor_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/advisor"
	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/servicetest"
	"github.com/keytrail/keytrail/internal/store/files"
)

// The seed's names: the key, the bucket "logs" and the trail "management" are in account acct;
// bob reads the logs there, alice in account other.
const (
	acct     = servicetest.Account
	other    = servicetest.OtherAccount
	trailARN = "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/management"
	bob      = "arn:aws:iam::" + acct + ":user/bob"
	alice    = "arn:aws:iam::" + other + ":user/alice"
	auditor  = "arn:aws:iam::" + acct + ":role/CloudTrailReadRole"
	admin    = "arn:aws:iam::" + acct + ":user/admin"
	storeARN = "arn:aws:cloudtrail:us-east-1:" + acct + ":eventdatastore/11111111-2222-3333-4444-555555555555"
)

// stmt is a key policy statement as the seed writes it.
type stmt = map[string]any

// The seed's statements (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html),
// filled in for acct, the trail "management" and the readers.
var (
	rootStmt = stmt{"Sid": "Enable IAM user permissions", "Effect": "Allow", "Principal": stmt{"AWS": "arn:aws:iam::" + acct + ":root"}, "Action": "kms:*", "Resource": "*"}
	// "Allow CloudTrail to encrypt logs"
	encryptStmt = stmt{"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": stmt{"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*",
		"Condition": stmt{"StringEquals": stmt{"aws:SourceArn": trailARN}, "StringLike": stmt{"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:" + acct + ":trail/*"}}}
	// "Enable CloudTrail encrypt permissions": this account's and the other's trails.
	crossEncryptStmt = stmt{"Sid": "Enable CloudTrail encrypt permissions", "Effect": "Allow", "Principal": stmt{"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*",
		"Condition": stmt{"StringLike": stmt{"kms:EncryptionContext:aws:cloudtrail:arn": []any{"arn:aws:cloudtrail:*:" + acct + ":trail/*", "arn:aws:cloudtrail:*:" + other + ":trail/*"}},
			"ArnLike": stmt{"aws:SourceArn": []any{trailARN, "arn:aws:cloudtrail:*:" + other + ":trail/*"}}}}
	// "Allow CloudTrail access": DescribeKey.
	describeStmt = stmt{"Sid": "Allow CloudTrail access", "Effect": "Allow", "Principal": stmt{"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:DescribeKey", "Resource": "*",
		"Condition": stmt{"StringEquals": stmt{"aws:SourceArn": trailARN}}}
	// "Enable CloudTrail log decrypt permissions" for bob.
	decryptStmt = stmt{"Sid": "Enable CloudTrail log decrypt permissions", "Effect": "Allow", "Principal": stmt{"AWS": bob}, "Action": "kms:Decrypt", "Resource": "*",
		"Condition": stmt{"Null": stmt{"kms:EncryptionContext:aws:cloudtrail:arn": "false"}}}
	// "Enable encrypted CloudTrail log read access" for the other account.
	crossReadStmt = stmt{"Sid": "Enable encrypted CloudTrail log read access", "Effect": "Allow", "Principal": stmt{"AWS": []any{"arn:aws:iam::" + other + ":root"}}, "Action": "kms:Decrypt", "Resource": "*",
		"Condition": stmt{"Null": stmt{"kms:EncryptionContext:aws:cloudtrail:arn": "false"}}}
	// "Enable encrypted CloudTrail log read access" for the role CloudTrailReadRole.
	roleReadStmt = stmt{"Sid": "Enable encrypted CloudTrail log read access", "Effect": "Allow", "Principal": stmt{"AWS": []any{auditor}}, "Action": "kms:Decrypt", "Resource": "*",
		"Condition": stmt{"Null": stmt{"kms:EncryptionContext:aws:cloudtrail:arn": "false"}}}
	// "Allow CloudTrail to decrypt a trail": for a bucket with an S3 Bucket Key.
	ctDecryptStmt = stmt{"Sid": "Allow CloudTrail to decrypt a trail", "Effect": "Allow", "Principal": stmt{"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:Decrypt", "Resource": "*"}
	// The policy the CloudTrail console writes for a trail's new key
	// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/default-kms-key-policy.html), created by admin.
	consoleStmts = []stmt{
		{"Sid": "Enable IAM user permissions", "Effect": "Allow", "Principal": stmt{"AWS": []any{"arn:aws:iam::" + acct + ":root", admin}}, "Action": "kms:*", "Resource": "*"},
		{"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": stmt{"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*",
			"Condition": stmt{"StringEquals": stmt{"aws:SourceArn": trailARN}, "StringLike": stmt{"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:" + acct + ":trail/*"}}},
		{"Sid": "Allow CloudTrail to describe key", "Effect": "Allow", "Principal": stmt{"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:DescribeKey", "Resource": "*"},
		{"Sid": "Allow principals in the account to decrypt log files", "Effect": "Allow", "Principal": stmt{"AWS": "*"}, "Action": []any{"kms:Decrypt", "kms:ReEncryptFrom"}, "Resource": "*",
			"Condition": stmt{"StringEquals": stmt{"kms:CallerAccount": acct}, "StringLike": stmt{"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:" + acct + ":trail/*"}}},
		{"Sid": "Enable cross account log decryption", "Effect": "Allow", "Principal": stmt{"AWS": "*"}, "Action": []any{"kms:Decrypt", "kms:ReEncryptFrom"}, "Resource": "*",
			"Condition": stmt{"StringEquals": stmt{"kms:CallerAccount": acct}, "StringLike": stmt{"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:" + acct + ":trail/*"}}},
	}
	// "Allow CloudTrail to encrypt event data store"
	storeStmt = stmt{"Sid": "Allow CloudTrail to encrypt event data store", "Effect": "Allow", "Principal": stmt{"Service": "cloudtrail.amazonaws.com"}, "Action": []any{"kms:GenerateDataKey", "kms:Decrypt"}, "Resource": "*"}
	// "Enable user key permissions for event data stores" for bob.
	storeUserStmt = stmt{"Sid": "Enable user key permissions for event data stores", "Effect": "Allow", "Principal": stmt{"AWS": bob}, "Action": []any{"kms:Decrypt", "kms:GenerateDataKey"}, "Resource": "*"}
	// The trail statement with aws:SourceArn, which event data stores do not support.
	storeSourceStmt = stmt{"Sid": "Allow CloudTrail to encrypt event data store", "Effect": "Allow", "Principal": stmt{"Service": "cloudtrail.amazonaws.com"}, "Action": []any{"kms:GenerateDataKey", "kms:Decrypt"}, "Resource": "*",
		"Condition": stmt{"StringEquals": stmt{"aws:SourceAccount": acct}}}
)

// A scenario is a key policy and the use it is checked for.
type scenario struct {
	name       string
	statements []stmt
	trails     []string // trail ARNs in acct or other
	bucketKey  bool
	stores     bool // the event data store storeARN
	readers    []string
	accounts   []string
	want       []string // the requirements not met, sorted, without repeats
}

func (s scenario) policy() string {
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": s.statements})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func (s scenario) use(keyARN string) advisor.Use {
	u := advisor.Use{KeyARN: keyARN, Readers: s.readers, Accounts: s.accounts}
	for _, t := range s.trails {
		u.Trails = append(u.Trails, advisor.Trail{ARN: t, Bucket: "logs", BucketKey: s.bucketKey})
	}
	if s.stores {
		u.EventDataStores = []string{storeARN}
	}
	return u
}

// clone copies a statement deeply.
func clone(s stmt) stmt {
	b, _ := json.Marshal(s)
	var out stmt
	_ = json.Unmarshal(b, &out)
	return out
}

// broken returns the seed scenario's broken variants: each statement removed, and each
// condition altered (a Null condition inverted, any other's values replaced by one that matches
// nothing CloudTrail sends).
func broken(base scenario, want map[string][]string) []scenario {
	var out []scenario
	for i, s := range base.statements {
		v := base
		v.name = base.name + ", without " + s["Sid"].(string)
		v.statements = slices.Delete(slices.Clone(base.statements), i, i+1)
		out = append(out, v)
		cond, _ := s["Condition"].(stmt)
		for _, op := range sortedKeys(cond) {
			for _, key := range sortedKeys(cond[op].(stmt)) {
				v := base
				v.statements = slices.Clone(base.statements)
				c := clone(s)
				if op == "Null" {
					c["Condition"].(stmt)[op].(stmt)[key] = "true"
					v.name = base.name + ", " + s["Sid"].(string) + " with Null " + key + " inverted"
				} else {
					c["Condition"].(stmt)[op].(stmt)[key] = "arn:aws:cloudtrail:us-east-1:999999999999:trail/altered"
					v.name = base.name + ", " + s["Sid"].(string) + " with " + op + " " + key + " altered"
				}
				v.statements[i] = c
				out = append(out, v)
			}
		}
	}
	for name := range want {
		if !slices.ContainsFunc(out, func(s scenario) bool { return s.name == name }) {
			panic("no variant " + name)
		}
	}
	for i := range out {
		out[i].want = want[out[i].name]
	}
	return out
}

func sortedKeys(m stmt) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// scenarios are the seed's policies, their broken variants, and the wrong trail, account and
// reader cases, with the requirements each leaves unmet.
func scenarios() []scenario {
	trailBase := scenario{name: "trail", statements: []stmt{rootStmt, encryptStmt, describeStmt, decryptStmt}, trails: []string{trailARN}, readers: []string{bob}}
	out := []scenario{trailBase}
	out = append(out, broken(trailBase, map[string][]string{
		"trail, without Enable IAM user permissions":                                                               {advisor.Lockout},
		"trail, without Allow CloudTrail to encrypt logs":                                                          {advisor.Encrypt},
		"trail, Allow CloudTrail to encrypt logs with StringEquals aws:SourceArn altered":                          {advisor.Encrypt},
		"trail, Allow CloudTrail to encrypt logs with StringLike kms:EncryptionContext:aws:cloudtrail:arn altered": {advisor.Encrypt},
		"trail, without Allow CloudTrail access":                                                                   {advisor.DescribeKey},
		"trail, Allow CloudTrail access with StringEquals aws:SourceArn altered":                                   {advisor.DescribeKey},
	})...)
	// Without the root statement, bob's decrypt rests on its own statement alone.
	noRoot := scenario{name: "trail without root", statements: []stmt{encryptStmt, describeStmt, decryptStmt}, trails: []string{trailARN}, readers: []string{bob},
		want: []string{advisor.Lockout}}
	out = append(out, noRoot)
	out = append(out, broken(noRoot, map[string][]string{
		"trail without root, without Allow CloudTrail to encrypt logs":                                                              {advisor.Encrypt, advisor.Lockout},
		"trail without root, Allow CloudTrail to encrypt logs with StringEquals aws:SourceArn altered":                              {advisor.Encrypt, advisor.Lockout},
		"trail without root, Allow CloudTrail to encrypt logs with StringLike kms:EncryptionContext:aws:cloudtrail:arn altered":     {advisor.Encrypt, advisor.Lockout},
		"trail without root, without Allow CloudTrail access":                                                                       {advisor.DescribeKey, advisor.Lockout},
		"trail without root, Allow CloudTrail access with StringEquals aws:SourceArn altered":                                       {advisor.DescribeKey, advisor.Lockout},
		"trail without root, without Enable CloudTrail log decrypt permissions":                                                     {advisor.Decrypt, advisor.Lockout},
		"trail without root, Enable CloudTrail log decrypt permissions with Null kms:EncryptionContext:aws:cloudtrail:arn inverted": {advisor.Decrypt, advisor.Lockout},
	})...)
	bucketKey := scenario{name: "bucket key", statements: []stmt{rootStmt, encryptStmt, describeStmt, ctDecryptStmt}, trails: []string{trailARN}, bucketKey: true}
	out = append(out, bucketKey)
	out = append(out, broken(bucketKey, map[string][]string{
		"bucket key, without Enable IAM user permissions":                                                               {advisor.Lockout},
		"bucket key, without Allow CloudTrail to encrypt logs":                                                          {advisor.BucketKey, advisor.Encrypt},
		"bucket key, Allow CloudTrail to encrypt logs with StringEquals aws:SourceArn altered":                          {advisor.BucketKey, advisor.Encrypt},
		"bucket key, Allow CloudTrail to encrypt logs with StringLike kms:EncryptionContext:aws:cloudtrail:arn altered": {advisor.BucketKey, advisor.Encrypt},
		"bucket key, without Allow CloudTrail access":                                                                   {advisor.DescribeKey},
		"bucket key, Allow CloudTrail access with StringEquals aws:SourceArn altered":                                   {advisor.DescribeKey},
		"bucket key, without Allow CloudTrail to decrypt a trail":                                                       {advisor.BucketKey},
	})...)
	cross := scenario{name: "cross-account", statements: []stmt{rootStmt, crossEncryptStmt, describeStmt, decryptStmt, crossReadStmt},
		trails: []string{trailARN}, readers: []string{bob, alice}, accounts: []string{other}, want: []string{advisor.DescribeKey}}
	out = append(out, cross)
	out = append(out, broken(cross, map[string][]string{
		"cross-account, without Enable IAM user permissions":                                                                     {advisor.DescribeKey, advisor.Lockout},
		"cross-account, without Enable CloudTrail encrypt permissions":                                                           {advisor.CrossAccountEncrypt, advisor.DescribeKey, advisor.Encrypt},
		"cross-account, Enable CloudTrail encrypt permissions with ArnLike aws:SourceArn altered":                                {advisor.CrossAccountEncrypt, advisor.DescribeKey, advisor.Encrypt},
		"cross-account, Enable CloudTrail encrypt permissions with StringLike kms:EncryptionContext:aws:cloudtrail:arn altered":  {advisor.CrossAccountEncrypt, advisor.DescribeKey, advisor.Encrypt},
		"cross-account, without Allow CloudTrail access":                                                                         {advisor.DescribeKey},
		"cross-account, Allow CloudTrail access with StringEquals aws:SourceArn altered":                                         {advisor.DescribeKey},
		"cross-account, without Enable CloudTrail log decrypt permissions":                                                       {advisor.DescribeKey},
		"cross-account, Enable CloudTrail log decrypt permissions with Null kms:EncryptionContext:aws:cloudtrail:arn inverted":   {advisor.DescribeKey},
		"cross-account, without Enable encrypted CloudTrail log read access":                                                     {advisor.CrossAccountDecrypt, advisor.DescribeKey},
		"cross-account, Enable encrypted CloudTrail log read access with Null kms:EncryptionContext:aws:cloudtrail:arn inverted": {advisor.CrossAccountDecrypt, advisor.DescribeKey},
	})...)
	// The console's policy: its root statement names admin too, and its "cross account" statement
	// admits only the key's own account (kms:CallerAccount), so alice may not read.
	console := scenario{name: "console", statements: consoleStmts, trails: []string{trailARN}, readers: []string{bob, alice},
		want: []string{advisor.CrossAccountDecrypt}}
	out = append(out, console)
	out = append(out, broken(console, map[string][]string{
		"console, without Enable IAM user permissions":                                                                                   {advisor.CrossAccountDecrypt, advisor.Lockout},
		"console, without Allow CloudTrail to encrypt logs":                                                                              {advisor.CrossAccountDecrypt, advisor.Encrypt},
		"console, Allow CloudTrail to encrypt logs with StringEquals aws:SourceArn altered":                                              {advisor.CrossAccountDecrypt, advisor.Encrypt},
		"console, Allow CloudTrail to encrypt logs with StringLike kms:EncryptionContext:aws:cloudtrail:arn altered":                     {advisor.CrossAccountDecrypt, advisor.Encrypt},
		"console, without Allow CloudTrail to describe key":                                                                              {advisor.CrossAccountDecrypt, advisor.DescribeKey},
		"console, without Allow principals in the account to decrypt log files":                                                          {advisor.CrossAccountDecrypt},
		"console, Allow principals in the account to decrypt log files with StringEquals kms:CallerAccount altered":                      {advisor.CrossAccountDecrypt},
		"console, Allow principals in the account to decrypt log files with StringLike kms:EncryptionContext:aws:cloudtrail:arn altered": {advisor.CrossAccountDecrypt},
		"console, without Enable cross account log decryption":                                                                           {advisor.CrossAccountDecrypt},
		"console, Enable cross account log decryption with StringEquals kms:CallerAccount altered":                                       {advisor.CrossAccountDecrypt},
		"console, Enable cross account log decryption with StringLike kms:EncryptionContext:aws:cloudtrail:arn altered":                  {advisor.CrossAccountDecrypt},
	})...)
	store := scenario{name: "event data store", statements: []stmt{storeStmt, rootStmt, storeUserStmt}, stores: true, readers: []string{bob}}
	out = append(out, store)
	out = append(out, broken(store, map[string][]string{
		"event data store, without Allow CloudTrail to encrypt event data store": {advisor.StoreEncrypt},
		"event data store, without Enable IAM user permissions":                  {advisor.Lockout},
	})...)
	out = append(out,
		scenario{name: "wrong trail ARN", statements: trailBase.statements, trails: []string{"arn:aws:cloudtrail:us-east-1:" + acct + ":trail/other"}, readers: []string{bob},
			want: []string{advisor.DescribeKey, advisor.Encrypt}},
		scenario{name: "wrong account: a trail of another account", statements: trailBase.statements, accounts: []string{other},
			want: []string{advisor.CrossAccountDecrypt, advisor.CrossAccountEncrypt, advisor.DescribeKey}},
		scenario{name: "wrong account: a reader of another account", statements: trailBase.statements, trails: []string{trailARN}, readers: []string{alice},
			want: []string{advisor.CrossAccountDecrypt}},
		scenario{name: "a named trail of another account", statements: cross.statements, trails: []string{trailARN, "arn:aws:cloudtrail:us-east-1:" + other + ":trail/partner"},
			readers: []string{bob, alice}, want: []string{advisor.DescribeKey}},
		scenario{name: "a role reads the logs", statements: []stmt{encryptStmt, describeStmt, roleReadStmt}, trails: []string{trailARN}, readers: []string{auditor},
			want: []string{advisor.Lockout}},
		scenario{name: "event data store with aws:SourceAccount", statements: []stmt{storeSourceStmt, rootStmt, storeUserStmt}, stores: true, readers: []string{bob},
			want: []string{advisor.StoreEncrypt}},
		scenario{name: "event data store user missing", statements: []stmt{storeStmt}, stores: true, readers: []string{bob},
			want: []string{advisor.Lockout, advisor.StoreUser}},
	)
	return out
}

// notMet lists the requirements a report leaves unmet, sorted, without repeats.
func notMet(r *advisor.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if !f.Met && !slices.Contains(out, f.Requirement) {
			out = append(out, f.Requirement)
		}
	}
	slices.Sort(out)
	return out
}

// TestAdvisorAgreesWithKeytrail runs every scenario through the advisor and through keytrail's
// services: a real key with the scenario's policy; CloudTrail's KMS calls as
// cloudtrail.amazonaws.com with the keys and context CloudTrail sends (its log file delivery
// through S3 PutObject); the readers' S3 GetObject of log files (S3 decrypting as the reader);
// PutKeyPolicy; CreateTrail and CreateEventDataStore. Every request the advisor decided must be
// decided the same way by the real call, and each scenario leaves unmet the requirements it lists.
func TestAdvisorAgreesWithKeytrail(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			rw := newRealWorld(t, sc)
			report, err := advisor.Check(context.Background(), sc.policy(), sc.use(rw.keyARN))
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Sorted(slices.Values(sc.want))
			if got := notMet(report); !slices.Equal(got, want) {
				t.Errorf("not met: %q, want %q", got, want)
			}
			rw.prepare(t, report)
			rw.setPolicy(t, sc.policy())
			for _, f := range report.Findings {
				for _, r := range requests(f) {
					if got := rw.allowed(t, r); got != r.Allowed {
						t.Errorf("%s (%s) %s %s: advisor allowed=%v, keytrail allowed=%v", f.Requirement, r.Made, r.Principal, r.Action, r.Allowed, got)
					}
				}
			}
			rw.checkOperations(t, sc, report)
		})
	}
}

// requests are a finding's requests and its advisory one.
func requests(f *advisor.Finding) []*advisor.Request {
	if f.Advisory != nil {
		return append(slices.Clone(f.Requests), f.Advisory)
	}
	return f.Requests
}

// realWorld is keytrail's KMS, S3, CloudTrail and Lake on a servicetest World, with the
// scenario's principals and the bucket "logs".
type realWorld struct {
	*servicetest.World
	KMS        *kms.Service
	S3         *s3.Service
	CT         *ct.Service
	Lake       *lake.Service
	keyARN     string
	principals map[string]identity.Principal // by the ARN the advisor names them with
	policy     string                        // the key's policy
	blobs      map[string][]byte             // ciphertexts by encryption context
	objects    map[string]string             // the objects readers get, by their data key's encryption context
}

// reader is the identity policy every reader has: the log readers' KMS actions and CloudTrail's.
const readerPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey","cloudtrail:*","s3:GetObject"],"Resource":"*"}]}`

func newRealWorld(t *testing.T, sc scenario) *realWorld {
	t.Helper()
	w := servicetest.New(t)
	rw := &realWorld{World: w, principals: map[string]identity.Principal{}, blobs: map[string][]byte{}, objects: map[string]string{}}
	rw.KMS = kms.New(kms.Config{DB: w.DB, Barrier: w.Barrier, Authorizer: w.Authz, Policies: w.Policies, Principals: w.IAM, Now: w.Clock.Now, Rand: w.Rand})
	blobs, err := files.Open(filepath.Join(w.Dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	rw.S3 = s3.New(s3.Config{DB: w.DB, Blobs: blobs, Barrier: w.Barrier, KMS: rw.KMS, Authorizer: w.Authz, Policies: w.Policies, Now: w.Clock.Now})
	rw.Lake = lake.New(lake.Config{DB: w.DB, Keys: rw.KMS, Authorizer: w.Authz, Now: w.Clock.Now, Rand: w.Rand, Barrier: w.Barrier})
	rw.CT = ct.New(ct.Config{DB: w.DB, S3: rw.S3, KMS: rw.KMS, Authorizer: w.Authz, Now: w.Clock.Now, Rand: w.Rand, Barrier: w.Barrier, Stores: rw.Lake})
	for _, acc := range []string{acct, other} {
		rw.principals[identity.RootARN(acc)] = w.Root(acc)
	}
	rw.principals["cloudtrail.amazonaws.com"] = servicetest.Service("cloudtrail.amazonaws.com")
	// The users the policies name exist (a key policy may name only existing principals).
	for _, r := range []string{bob, alice, admin} {
		p, _ := advisor.Principal(r)
		rw.principals[p.ARN] = w.User(p.Account, p.UserName, readerPolicy)
	}
	if slices.Contains(sc.readers, auditor) {
		p, _ := advisor.Principal(auditor)
		assumer := w.User(acct, "assumer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
		rw.principals[p.ARN] = w.Role(acct, p.RoleName, trust, assumer, readerPolicy)
	}
	root := w.As(w.Root(acct))
	rw.keyARN = servicetest.Call(root, rw.KMS.CreateKey, &kms.CreateKeyInput{}).OK().KeyMetadata.Arn
	servicetest.Call(root, rw.S3.CreateBucket, &s3.CreateBucketInput{Bucket: "logs"}).OK()
	bucketPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["s3:GetBucketAcl","s3:PutObject"],"Resource":["arn:aws:s3:::logs","arn:aws:s3:::logs/*"]},
 {"Effect":"Allow","Principal":{"AWS":["` + alice + `","arn:aws:iam::` + other + `:root"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}]}`
	servicetest.Call(root, rw.S3.PutBucketPolicy, &s3.PutBucketPolicyInput{Bucket: "logs", Policy: bucketPolicy}).OK()
	if sc.bucketKey {
		enc := &s3.PutBucketEncryptionInput{Bucket: "logs", BucketEncryption: s3.BucketEncryption{SSE: "aws:kms", KMSKey: rw.keyARN, BucketKey: true}}
		servicetest.Call(root, rw.S3.PutBucketEncryption, enc).OK()
	}
	return rw
}

// encryptionContext is the encryption context of a request, from its condition keys.
func encryptionContext(r *advisor.Request) map[string]string {
	ec := map[string]string{}
	for k, v := range r.Context {
		if name, ok := strings.CutPrefix(k, "kms:EncryptionContext:"); ok {
			ec[name] = v[0]
		}
	}
	return ec
}

// objectKey is the object an encryption context's aws:s3:arn names, written to the bucket "logs"
// whichever bucket it names (the policies do not condition on it); false for a bucket's ARN (an
// S3 Bucket Key's context).
func objectKey(ec map[string]string) (string, bool) {
	_, key, ok := strings.Cut(strings.TrimPrefix(ec["aws:s3:arn"], "arn:aws:s3:::"), "/")
	return key, ok
}

func ecName(ec map[string]string) string {
	b, _ := json.Marshal(ec)
	return string(b)
}

// prepare makes, under the key's default policy, the ciphertexts the report's Decrypt requests
// decrypt, and the objects its readers get (written by the account's root, with CloudTrail's
// encryption context for a log file).
func (rw *realWorld) prepare(t *testing.T, report *advisor.Report) {
	t.Helper()
	for _, f := range report.Findings {
		for _, r := range requests(f) {
			if r.Action != "kms:Decrypt" {
				continue
			}
			ec := encryptionContext(r)
			if strings.HasPrefix(r.Made, "S3 GetObject") {
				if _, ok := rw.objects[ecName(ec)]; ok {
					continue
				}
				key, ok := objectKey(ec)
				if !ok {
					key = "object-" + strconv.Itoa(len(rw.objects))
				}
				in := &s3.PutObjectInput{Bucket: "logs", Key: key, Body: strings.NewReader("{}"), SSE: "aws:kms", KMSKeyID: rw.keyARN}
				if trail := ec["aws:cloudtrail:arn"]; trail != "" {
					ctx, _ := json.Marshal(map[string]string{"aws:cloudtrail:arn": trail})
					in.EncryptionCtx = base64.StdEncoding.EncodeToString(ctx)
				}
				servicetest.Call(rw.As(rw.Root(acct)), rw.S3.PutObject, in).OK()
				rw.objects[ecName(ec)] = key
				continue
			}
			in := &kms.GenerateDataKeyInput{}
			in.KeyID, in.KeySpec, in.EncryptionContext = rw.keyARN, "AES_256", ec
			rw.blobs[ecName(ec)] = servicetest.Call(rw.As(rw.Root(acct)), rw.KMS.GenerateDataKey, in).OK().CiphertextBlob
		}
	}
}

// setPolicy gives the key the scenario's policy (bypassing the lockout check: lockout is one of
// the requirements checked).
func (rw *realWorld) setPolicy(t *testing.T, doc string) {
	t.Helper()
	in := &kms.PutKeyPolicyInput{KeyID: rw.keyARN, Policy: &doc, BypassPolicyLockoutSafetyCheck: true}
	servicetest.Call(rw.As(rw.Root(acct)), rw.KMS.PutKeyPolicy, in).OK()
	rw.policy = doc
}

// allowed makes the real call an advisor request stands for and says whether keytrail allowed
// it; any error but a denial fails the test.
func (rw *realWorld) allowed(t *testing.T, r *advisor.Request) bool {
	t.Helper()
	p, ok := rw.principals[r.Principal]
	if !ok {
		t.Fatalf("no principal %s in the world", r.Principal)
	}
	carried := authz.Map{}
	for _, k := range []string{"aws:SourceArn", "aws:SourceAccount", "kms:ViaService"} {
		if v, ok := r.Context[k]; ok {
			carried[k] = v
		}
	}
	caller := rw.As(p).With(carried)
	ec := encryptionContext(r)
	var err error
	denied := awserr.AccessDeniedException
	switch {
	case strings.HasPrefix(r.Made, "log file delivery through S3"):
		// CloudTrail's delivery: PutObject as CloudTrail, S3 asking KMS for the data key.
		caller = rw.As(p).With(authz.Map{"aws:SourceArn": carried["aws:SourceArn"], "aws:SourceAccount": carried["aws:SourceAccount"]})
		key, ok := objectKey(ec)
		if !ok {
			key = "AWSLogs/" + carried["aws:SourceAccount"][0] + "/CloudTrail/us-east-1/2026/12/02/f.json.gz"
		}
		ctx, _ := json.Marshal(map[string]string{"aws:cloudtrail:arn": ec["aws:cloudtrail:arn"]})
		in := &s3.PutObjectInput{Bucket: "logs", Key: key, Body: strings.NewReader("{}"), ACL: "bucket-owner-full-control",
			SSE: "aws:kms", KMSKeyID: rw.keyARN, EncryptionCtx: base64.StdEncoding.EncodeToString(ctx)}
		_, err = rw.S3.PutObject(caller.Context(), in)
		denied = awserr.AccessDenied
	case strings.HasPrefix(r.Made, "S3 GetObject"):
		// A reader's GetObject: S3 asks KMS to decrypt the object's data key as the reader.
		_, err = rw.S3.GetObject(rw.As(p).Context(), &s3.GetObjectInput{Bucket: "logs", Key: rw.objects[ecName(ec)]})
		if e, ok := awserr.As(err); ok && e.Code == awserr.AccessDenied && !strings.Contains(e.Message, "kms:Decrypt") {
			t.Fatalf("%s GetObject refused by S3, not KMS: %v", r.Principal, err)
		}

		denied = awserr.AccessDenied
	case r.Action == "kms:GenerateDataKey":
		in := &kms.GenerateDataKeyInput{}
		in.KeyID, in.KeySpec, in.EncryptionContext = rw.keyARN, "AES_256", ec
		_, err = rw.KMS.GenerateDataKey(caller.Context(), in)
	case r.Action == "kms:Decrypt":
		_, err = rw.KMS.Decrypt(caller.Context(), &kms.DecryptInput{CiphertextBlob: rw.blobs[ecName(ec)], EncryptionContext: ec, KeyID: rw.keyARN})
	case r.Action == "kms:DescribeKey":
		_, err = rw.KMS.DescribeKey(caller.Context(), &kms.DescribeKeyInput{KeyID: rw.keyARN})
	case r.Action == "kms:PutKeyPolicy":
		doc := rw.policy
		_, err = rw.KMS.PutKeyPolicy(caller.Context(), &kms.PutKeyPolicyInput{KeyID: rw.keyARN, Policy: &doc})
	default:
		t.Fatalf("no real call for %s", r.Action)
	}
	if err == nil {
		return true
	}
	if e, ok := awserr.As(err); !ok || e.Code != denied {
		t.Fatalf("%s %s (%s): %v; want success or %s", r.Principal, r.Action, r.Made, err, denied)
	}
	return false
}

// checkOperations makes the operations whose checks the requirements stand for: CreateTrail for
// each trail of the key's account (its check is the encrypt, DescribeKey and Bucket Key
// requirements' CreateTrail requests), CreateEventDataStore as each reader (the store's two
// requirements).
func (rw *realWorld) checkOperations(t *testing.T, sc scenario, report *advisor.Report) {
	t.Helper()
	for _, arn := range sc.trails {
		if !strings.Contains(arn, ":"+acct+":") {
			continue
		}
		want := true
		for _, f := range report.Findings {
			for _, r := range f.Requests {
				if f.Subject == arn && strings.HasPrefix(r.Made, "CreateTrail") && !r.Allowed {
					want = false
				}
			}
		}
		name := arn[strings.LastIndexByte(arn, '/')+1:]
		_, err := rw.CT.CreateTrail(rw.Ctx(rw.Root(acct)), &ct.CreateTrailInput{Name: name, S3BucketName: "logs", KmsKeyID: rw.keyARN})
		if got := err == nil; got != want {
			t.Errorf("CreateTrail %s: %v; the advisor's CreateTrail requests allowed: %v", name, err, want)
		}
		if e, ok := awserr.As(err); err != nil && (!ok || e.Code != "InsufficientEncryptionPolicyException") {
			t.Errorf("CreateTrail %s: %v; want InsufficientEncryptionPolicyException", name, err)
		}
	}
	if !sc.stores {
		return
	}
	for _, reader := range sc.readers {
		want := true
		for _, f := range report.Findings {
			if !f.Met && (f.Requirement == advisor.StoreEncrypt || f.Requirement == advisor.StoreUser && strings.HasPrefix(f.Subject, reader+" ")) {
				want = false
			}
		}
		p := rw.principals[reader]
		_, err := rw.Lake.CreateEventDataStore(rw.Ctx(p), &lake.CreateEventDataStoreInput{Name: "audit-" + p.UserName, KmsKeyID: rw.keyARN})
		if got := err == nil; got != want {
			t.Errorf("CreateEventDataStore as %s: %v; the advisor's requirements met: %v", reader, err, want)
		}
	}
}
