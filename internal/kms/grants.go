package kms

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/store"
)

// grantRecord is the stored form of a grant (format version 1). The grant token is kept only as
// a hash.
type grantRecord struct {
	store.Version
	ID          string            `json:"id"`
	KeyID       string            `json:"keyId"`
	Account     string            `json:"account"`
	Region      string            `json:"region"`
	Name        string            `json:"name,omitempty"`
	Grantee     string            `json:"grantee"`
	Retiring    string            `json:"retiring,omitempty"`
	Operations  []string          `json:"operations"`
	Constraints *GrantConstraints `json:"constraints,omitempty"`
	Issuing     string            `json:"issuing"`
	Created     time.Time         `json:"created"`
	TokenHash   string            `json:"tokenHash"`
}

// The operations a grant on a symmetric encryption key can allow.
var grantOperations = []string{"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
	"ReEncryptFrom", "ReEncryptTo", "CreateGrant", "RetireGrant", "DescribeKey"}

// cryptoOperations are the grant operations that grant constraints apply to.
var cryptoOperations = []string{"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo"}

var granteePattern = regexp.MustCompile(`^(arn:aws:(iam|sts)::[0-9]{12}:\S+|[a-z0-9.-]+\.amazonaws\.com)$`)

func grantKey(account, region, keyID, id string) string {
	return account + "/" + region + "/" + keyID + "/" + id
}

func listGrants(tx store.Tx, account, region, keyID string) ([]grantRecord, error) {
	var out []grantRecord
	err := grantsTable.Scan(tx, account+"/"+region+"/"+keyID+"/", "", func(_ string, g *grantRecord) error {
		out = append(out, *g)
		return nil
	})
	return out, err
}

// grantsFor returns the key's grants that allow an operation with an encryption context. Grant
// constraints apply to the cryptographic operations only: "Grants with grant constraints can
// include the DescribeKey and RetireGrant operations, but the constraint doesn't apply to these
// operations" (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html).
func (k *loadedKey) grantsFor(operation string, ec map[string]string) []authz.Grant {
	crypto := slices.Contains(cryptoOperations, operation)
	return k.grantsWhere(operation, func(gc *GrantConstraints) bool { return !crypto || gc.allow(ec) })
}

// grantsForCreateGrant returns the key's grants that allow creating a grant with the
// constraints child: "If a grant with a grant constraint includes the CreateGrant operation, the
// constraint requires that any grants created with the CreateGrant permission have an equally
// strict or stricter encryption context constraint" (API_CreateGrant.html).
func (k *loadedKey) grantsForCreateGrant(child *GrantConstraints) []authz.Grant {
	return k.grantsWhere("CreateGrant", func(gc *GrantConstraints) bool { return gc.atLeastAsStrict(child) })
}

func (k *loadedKey) grantsWhere(operation string, ok func(*GrantConstraints) bool) []authz.Grant {
	var out []authz.Grant
	for _, g := range k.grants {
		if slices.Contains(g.Operations, operation) && ok(g.Constraints) {
			out = append(out, authz.Grant{ID: g.ID, Grantee: g.Grantee})
		}
	}
	return out
}

// allow reports whether a request's encryption context satisfies the constraints. "In a grant
// constraint, the key in each key-value pair is not case sensitive, but the value is case
// sensitive" (https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html).
func (gc *GrantConstraints) allow(ec map[string]string) bool {
	if gc == nil {
		return true
	}
	if gc.EncryptionContextEquals != nil && (len(ec) != len(gc.EncryptionContextEquals) || !contextHas(ec, gc.EncryptionContextEquals)) {
		return false
	}
	return contextHas(ec, gc.EncryptionContextSubset)
}

// contextHas reports whether ec holds every pair of want, its keys compared without case.
func contextHas(ec, want map[string]string) bool {
	for k, v := range want {
		found := false
		for ek, ev := range ec {
			if strings.EqualFold(ek, k) && ev == v {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// atLeastAsStrict reports whether the constraints child are as strict as gc or stricter: every
// encryption context child allows, gc allows too.
func (gc *GrantConstraints) atLeastAsStrict(child *GrantConstraints) bool {
	switch {
	case gc == nil:
		return true
	case child == nil:
		return false
	case gc.EncryptionContextEquals != nil:
		// Only the very same context passes gc: child must require exactly it.
		return child.EncryptionContextEquals != nil && len(child.EncryptionContextEquals) == len(gc.EncryptionContextEquals) &&
			contextHas(child.EncryptionContextEquals, gc.EncryptionContextEquals) && contextHas(child.EncryptionContextEquals, child.EncryptionContextSubset)
	case child.EncryptionContextEquals != nil:
		return contextHas(child.EncryptionContextEquals, gc.EncryptionContextSubset)
	}
	return contextHas(child.EncryptionContextSubset, gc.EncryptionContextSubset)
}

func (g *grantRecord) entry() GrantListEntry {
	return GrantListEntry{KeyID: keyARN(g.Region, g.Account, g.KeyID), GrantID: g.ID, Name: g.Name, CreationDate: awsjsonTime(g.Created),
		GranteePrincipal: g.Grantee, RetiringPrincipal: g.Retiring, IssuingAccount: identity.RootARN(g.Issuing),
		Operations: g.Operations, Constraints: g.Constraints}
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreateGrant lets a grantee principal use a key for some operations, optionally only with an
// encryption context (other accounts' keys by ARN). Errors: ValidationException,
// NotFoundException, DisabledException, KMSInvalidStateException, DryRunOperationException,
// AccessDeniedException.
func (s *Service) CreateGrant(ctx context.Context, in *CreateGrantInput) (*CreateGrantOutput, error) {
	v := newValidation()
	if v.Required("granteePrincipal", in.GranteePrincipal) && !granteePattern.MatchString(in.GranteePrincipal) {
		v.Constraint("granteePrincipal", in.GranteePrincipal, "Member must be a principal ARN or an AWS service principal")
	}
	if in.RetiringPrincipal != "" && !granteePattern.MatchString(in.RetiringPrincipal) {
		v.Constraint("retiringPrincipal", in.RetiringPrincipal, "Member must be a principal ARN or an AWS service principal")
	}
	if len(in.Operations) == 0 {
		v.Null("operations")
	}
	for _, op := range in.Operations {
		if !slices.Contains(grantOperations, op) {
			v.Constraint("operations", op, "Member must be an operation a grant on a symmetric encryption key allows: "+strings.Join(grantOperations, ", "))
		}
	}
	if len(in.Name) > 256 {
		v.Constraint("name", in.Name, "Member must have length less than or equal to 256")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	ops := slices.Clone(in.Operations)
	keys := authz.Map{"kms:GranteePrincipal": {in.GranteePrincipal}, "kms:GrantOperations": ops, "kms:GrantIsForAWSResource": {"false"}}
	if in.RetiringPrincipal != "" {
		keys["kms:RetiringPrincipal"] = []string{in.RetiringPrincipal}
	}
	c, k, err := s.target(ctx, "keyId", in.KeyID, keyAnyAccount)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, "CreateGrant", k, &conditionKeys{extra: keys}, k.grantsForCreateGrant(in.Constraints)); err != nil {
		return nil, err
	}
	if err := permitted(k, in.DryRun); err != nil {
		return nil, err
	}
	id, err := s.randomHex(32)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, 96)
	if _, err := s.rand.Read(raw); err != nil {
		return nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	g := grantRecord{ID: id, KeyID: k.rec.ID, Account: k.rec.Account, Region: k.rec.Region, Name: in.Name, Grantee: in.GranteePrincipal,
		Retiring: in.RetiringPrincipal, Operations: ops, Constraints: in.Constraints, Issuing: c.P.Account, Created: s.stamp(), TokenHash: tokenHash(token)}
	err = s.update(c, k, func(tx store.Tx, _ *keyRecord) error {
		return grantsTable.Put(tx, grantKey(g.Account, g.Region, g.KeyID, g.ID), &g)
	})
	if err != nil {
		return nil, err
	}
	return &CreateGrantOutput{GrantToken: token, GrantID: id}, nil
}

// ListGrants lists a key's grants (other accounts' keys by ARN), optionally one grant or one
// grantee's. Errors: NotFoundException, InvalidMarkerException, AccessDeniedException.
func (s *Service) ListGrants(ctx context.Context, in *ListGrantsInput) (*ListGrantsOutput, error) {
	_, k, err := s.keyOp(ctx, "ListGrants", "keyId", in.KeyID, keyAnyAccount, nil)
	if err != nil {
		return nil, err
	}
	var grants []GrantListEntry
	for _, g := range k.grants {
		if (in.GrantID == "" || g.ID == in.GrantID) && (in.GranteePrincipal == "" || g.Grantee == in.GranteePrincipal) {
			grants = append(grants, g.entry())
		}
	}
	return pageGrants(grants, in.PageInput)
}

func pageGrants(grants []GrantListEntry, in PageInput) (*ListGrantsOutput, error) {
	out, pg, err := page(grants, func(g GrantListEntry) string { return g.GrantID }, in, 100, 50)
	if err != nil {
		return nil, err
	}
	return &ListGrantsOutput{Grants: out, PageOutput: pg}, nil
}

// findGrant returns a grant by token, or by key and grant ID.
func (s *Service) findGrant(c *call, in *RetireGrantInput) (*loadedKey, *grantRecord, error) {
	if in.GrantToken != "" {
		want := tokenHash(in.GrantToken)
		var found *grantRecord
		err := s.db.View(c.Ctx, func(tx store.Tx) error {
			return grantsTable.Scan(tx, "", "", func(_ string, g *grantRecord) error {
				if g.TokenHash == want {
					found = g
				}
				return nil
			})
		})
		if err != nil {
			return nil, nil, err
		}
		if found == nil {
			return nil, nil, awserr.New(awserr.InvalidGrantTokenException, "The grant token is not valid.")
		}
		k, err := s.key(c, found.Account, found.Region, found.KeyID)
		if err != nil || k == nil {
			return nil, nil, awserr.New(awserr.InvalidGrantTokenException, "The grant token is not valid.")
		}
		return k, found, nil
	}
	if in.KeyID == "" || in.GrantID == "" {
		return nil, nil, awserr.New(awserr.ValidationException, "Specify a GrantToken, or both KeyId and GrantId.")
	}
	k, err := s.resolve(c, in.KeyID, keyAnyAccount)
	if err != nil {
		return nil, nil, err
	}
	for _, g := range k.grants {
		if g.ID == in.GrantID {
			return k, &g, nil
		}
	}
	return nil, nil, awserr.New(awserr.NotFoundException, "Grant ID %s not found", in.GrantID)
}

// RetireGrant deletes a grant, by token or by key and grant ID. Retiring is not governed by
// policies but by the grant itself: its retiring principal, its grantee when the grant allows
// RetireGrant, or the account that created it may retire it. Errors: InvalidGrantTokenException,
// NotFoundException, DryRunOperationException, AccessDeniedException.
func (s *Service) RetireGrant(ctx context.Context, in *RetireGrantInput) (*Empty, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	k, g, err := s.findGrant(c, in)
	if err != nil {
		return nil, err
	}
	who := []string{c.P.ARN, c.P.RoleARN, c.P.Service}
	allowed := slices.Contains(who, g.Retiring) && g.Retiring != "" ||
		slices.Contains(g.Operations, "RetireGrant") && slices.Contains(who, g.Grantee) ||
		c.P.Type == identity.Root && c.P.Account == g.Issuing
	if !allowed {
		req := authz.Request{Principal: c.P, Action: "kms:RetireGrant", Resource: k.arn, ResourceAccount: k.rec.Account}
		return nil, authz.Refuse(c.Ctx, s.az, req, awserr.AccessDeniedException,
			"a grant is retired by its retiring principal ("+orNone(g.Retiring)+"), its grantee ("+g.Grantee+") when the grant allows RetireGrant, or the root of the account that created it ("+g.Issuing+"), whatever the policies say",
			"User: "+callerName(c)+" is not authorized to perform: kms:RetireGrant on resource: "+k.arn+" because it is neither the grant's retiring principal, nor its grantee with RetireGrant, nor the account that created it")
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	return &Empty{}, s.deleteGrant(c, k, g)
}

func callerName(c *call) string {
	if c.P.Type == identity.AWSService {
		return c.P.Service
	}
	return c.P.ARN
}

func (s *Service) deleteGrant(c *call, k *loadedKey, g *grantRecord) error {
	return s.update(c, k, func(tx store.Tx, _ *keyRecord) error {
		return grantsTable.Delete(tx, grantKey(g.Account, g.Region, g.KeyID, g.ID))
	})
}

// RevokeGrant deletes a grant of a key (other accounts' keys by ARN), as kms:RevokeGrant allows.
// Errors: NotFoundException, DryRunOperationException, AccessDeniedException.
func (s *Service) RevokeGrant(ctx context.Context, in *RevokeGrantInput) (*Empty, error) {
	if in.GrantID == "" {
		return nil, missing("grantId")
	}
	c, k, err := s.keyOp(ctx, "RevokeGrant", "keyId", in.KeyID, keyAnyAccount, nil)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	for _, g := range k.grants {
		if g.ID == in.GrantID {
			return &Empty{}, s.deleteGrant(c, k, &g)
		}
	}
	return nil, awserr.New(awserr.NotFoundException, "Grant ID %s not found", in.GrantID)
}

// ListRetirableGrants lists the grants of the caller's account and region that a principal may
// retire. Authorized by identity policies. Errors: ValidationException, AccessDeniedException.
func (s *Service) ListRetirableGrants(ctx context.Context, in *ListRetirableGrantsInput) (*ListGrantsOutput, error) {
	if in.RetiringPrincipal == "" {
		return nil, missing("retiringPrincipal")
	}
	c, err := s.identityOp(ctx, "ListRetirableGrants")
	if err != nil {
		return nil, err
	}
	grants, err := scanRegion(s, c, grantsTable, func(g *grantRecord) (GrantListEntry, bool) {
		return g.entry(), g.Retiring == in.RetiringPrincipal
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(grants, func(a, b GrantListEntry) int { return strings.Compare(a.GrantID, b.GrantID) })
	return pageGrants(grants, in.PageInput)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
