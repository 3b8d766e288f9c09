package iam

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/store"
)

// IdentityPolicies returns the identity policies that apply to a principal, for the policy
// engine (authz.IdentityStore): an IAM user's inline and attached policies and those of its
// groups; a role session's role's inline and attached policies; and the user's or role's
// permissions boundary, marked as such. Others have none.
func (s *Service) IdentityPolicies(ctx context.Context, p identity.Principal) ([]authz.Document, error) {
	key := docsKey{p.Type, p.Account, p.UserName, p.RoleName}
	gen := s.gen.Load()
	if c, ok := s.idDocs.Load(key); ok && c.(*cachedDocuments).gen == gen {
		return c.(*cachedDocuments).docs, nil
	}
	docs, err := s.identityPolicies(ctx, p)
	if err == nil {
		s.idDocs.Store(key, &cachedDocuments{gen: gen, docs: docs})
	}
	return docs, err
}

// docsKey names a principal in the identity-policy cache.
type docsKey struct {
	typ                     identity.Type
	account, user, roleName string
}

// cachedDocuments are a principal's identity policies as read at a generation.
type cachedDocuments struct {
	gen  uint64
	docs []authz.Document
}

func (s *Service) identityPolicies(ctx context.Context, p identity.Principal) ([]authz.Document, error) {
	var out []authz.Document
	add := func(tx store.Tx, e *entity) error {
		for _, name := range slices.Sorted(maps.Keys(e.Inline)) {
			out = append(out, authz.Document{Name: e.Kind + " " + e.Name + " inline policy " + name, Text: e.Inline[name]})
		}
		for _, arn := range e.Attached {
			m, err := s.getPolicy(tx, e.Account, arn)
			if awserr.HasCode(err, awserr.NoSuchEntity) {
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, authz.Document{Name: arn, Text: m.defaultDocument()})
		}
		return nil
	}
	err := s.db.View(ctx, func(tx store.Tx) error {
		k, name := userKind, p.UserName
		switch p.Type {
		case identity.IAMUser:
		case identity.AssumedRole:
			k, name = roleKind, p.RoleName
		default:
			return nil
		}
		e, err := s.getEntity(tx, k, p.Account, name)
		if awserr.HasCode(err, awserr.NoSuchEntity) {
			return nil // deleted since the credentials were issued: no permissions
		}
		if err != nil {
			return err
		}
		if err := add(tx, e); err != nil {
			return err
		}
		if err := s.addBoundary(tx, e, &out); err != nil {
			return err
		}
		if k != userKind {
			return nil
		}
		groups, err := s.groupsOf(tx, p.Account, e.Name)
		for _, g := range groups {
			if err == nil {
				err = add(tx, g)
			}
		}
		return err
	})
	return out, err
}

// addBoundary adds e's permissions boundary, if it has one, to out. A boundary whose policy is
// gone (IAM refuses to delete a policy in use as a boundary) becomes a document that no longer
// parses, which the engine turns into a denial of everything: fail closed.
func (s *Service) addBoundary(tx store.Tx, e *entity, out *[]authz.Document) error {
	if e.Boundary == "" {
		return nil
	}
	doc := authz.Document{Name: e.Boundary, Boundary: true}
	m, err := s.getPolicy(tx, e.Account, e.Boundary)
	switch {
	case awserr.HasCode(err, awserr.NoSuchEntity):
	case err != nil:
		return err
	default:
		doc.Text = m.defaultDocument()
	}
	*out = append(*out, doc)
	return nil
}

// PrincipalExists reports whether an IAM user or role ARN names an existing user or role (its
// path included), for services that refuse policies naming principals that do not exist (KMS).
// Other ARNs (account roots, sessions, services) are not IAM entities and exist.
func (s *Service) PrincipalExists(ctx context.Context, arn string) (bool, error) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return true, nil
	}
	account, resource, _ := strings.Cut(rest, ":")
	k := userKind
	switch {
	case strings.HasPrefix(resource, "user/"):
	case strings.HasPrefix(resource, "role/"):
		k = roleKind
	default:
		return true, nil
	}
	name := resource[strings.LastIndex(resource, "/")+1:]
	e, err := s.loadEntity(ctx, k, account, name)
	if awserr.HasCode(err, awserr.NoSuchEntity) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return e.ARN() == arn, nil
}
