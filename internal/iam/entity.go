package iam

import (
	"context"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/store"
)

// kind describes one of the three IAM identities that hold policies: users, roles and groups.
type kind struct {
	table    store.Table[entity]
	noun     string // "user", "role", "group": ARNs and messages
	title    string // "User", "Role", "Group"
	idPrefix string // AIDA, AROA, AGPA
	maxName  int
	maxDoc   int // the quota of an inline policy document
}

var (
	userKind  = kind{store.Table[entity]{Name: tableUsers}, "user", "User", "AIDA", 64, policy.MaxUserPolicySize}
	roleKind  = kind{store.Table[entity]{Name: tableRoles}, "role", "Role", "AROA", 64, policy.MaxRolePolicySize}
	groupKind = kind{store.Table[entity]{Name: tableGroups}, "group", "Group", "AGPA", 128, policy.MaxGroupPolicySize}
)

// checkName checks the name of an identity of the kind (userName, roleName, groupName).
func (k kind) checkName(v *awserr.Validation, name string) {
	checkName(v, k.noun+"Name", name, k.maxName)
}

// entity is the stored form of a user, role or group (format version 1, stamped by store.Table).
type entity struct {
	store.Version
	Kind     string            `json:"kind"`
	Account  string            `json:"account"`
	Name     string            `json:"name"`
	Path     string            `json:"path"`
	ID       string            `json:"id"`
	Created  time.Time         `json:"created"`
	Tags     []Tag             `json:"tags,omitempty"`
	Inline   map[string]string `json:"inline,omitempty"`   // policy name → document, exactly as given
	Attached []string          `json:"attached,omitempty"` // managed policy ARNs
	Boundary string            `json:"boundary,omitempty"` // users and roles: the permissions boundary's policy ARN

	// Roles.
	TrustPolicy        string `json:"trustPolicy,omitempty"`
	Description        string `json:"description,omitempty"`
	MaxSessionDuration int32  `json:"maxSessionDuration,omitempty"`

	// Groups: member user names, as created.
	Members []string `json:"members,omitempty"`
}

// arn is the ARN the kind's identity name has in account when it is authorized (its path is not
// known before it is read): arn:aws:iam::<account>:<noun>/<name>.
func (k kind) arn(account, name string) string {
	return "arn:aws:iam::" + account + ":" + k.noun + "/" + name
}

// ARN returns the entity's ARN: arn:aws:iam::<account>:<noun><path><name>.
func (e *entity) ARN() string { return "arn:aws:iam::" + e.Account + ":" + e.Kind + e.Path + e.Name }

// entityKey is the store key: names are unique per account regardless of case.
func entityKey(account, name string) string { return account + "/" + strings.ToLower(name) }

func (s *Service) getEntity(tx store.Tx, k kind, account, name string) (*entity, error) {
	e, err := k.table.Get(tx, entityKey(account, name))
	if err == nil && e == nil {
		if k.noun == profileKind.noun {
			return nil, awserr.New(awserr.NoSuchEntity, "Instance Profile %s cannot be found.", name)
		}
		return nil, awserr.New(awserr.NoSuchEntity, "The %s with name %s cannot be found.", k.noun, name)
	}
	return e, err
}

// loadEntity reads one entity in its own transaction.
func (s *Service) loadEntity(ctx context.Context, k kind, account, name string) (e *entity, err error) {
	err = s.db.View(ctx, func(tx store.Tx) error {
		e, err = s.getEntity(tx, k, account, name)
		return err
	})
	return e, err
}

// entityTx reads the kind's identity name in account and runs fn on it in one transaction: a
// write transaction (see update) when write is set, in which fn stores or deletes what it changes.
func (s *Service) entityTx(ctx context.Context, write bool, k kind, account, name string, fn func(store.Tx, *entity) error) error {
	run := s.db.View
	if write {
		run = s.update
	}
	return run(ctx, func(tx store.Tx) error {
		e, err := s.getEntity(tx, k, account, name)
		if err != nil {
			return err
		}
		return fn(tx, e)
	})
}

// viewEntity authorizes iam:<action> on the kind's identity name in the caller's account and runs
// fn on the identity in a read transaction.
func (s *Service) viewEntity(ctx context.Context, k kind, action, name string, fn func(store.Tx, *entity) error) error {
	p, err := s.allow(ctx, action, func(account string) string { return k.arn(account, name) })
	if err != nil {
		return err
	}
	return s.entityTx(ctx, false, k, p.Account, name, fn)
}

// updateEntity authorizes iam:<action> (with the operation's condition keys, if any) on the kind's
// identity name in the caller's account and runs fn on the identity in a write transaction.
func (s *Service) updateEntity(ctx context.Context, k kind, action, name string, keys authz.Map, fn func(store.Tx, *entity) error) error {
	p, err := s.allowWith(ctx, action, keys, func(account string) string { return k.arn(account, name) })
	if err != nil {
		return err
	}
	return s.entityTx(ctx, true, k, p.Account, name, fn)
}

func (s *Service) putEntity(tx store.Tx, k kind, e *entity) error {
	e.Kind = k.noun
	return k.table.Put(tx, entityKey(e.Account, e.Name), e)
}

// createEntity stores a new entity, refusing a name already taken in the account.
func (s *Service) createEntity(tx store.Tx, k kind, e *entity) error {
	switch old, err := k.table.Get(tx, entityKey(e.Account, e.Name)); {
	case err != nil:
		return err
	case old != nil:
		return awserr.New(awserr.EntityAlreadyExists, "%s with name %s already exists.", k.title, e.Name)
	}
	id, err := s.newID(k.idPrefix, 17)
	if err != nil {
		return err
	}
	e.ID, e.Created = id, s.stamp()
	if e.Path == "" {
		e.Path = "/"
	}
	return s.putEntity(tx, k, e)
}

// createIdentity is the end of CreateUser, CreateRole and CreateGroup, once the request's names,
// path and documents are checked: it checks the boundary's ARN and the tag keys, authorizes
// iam:Create<Kind> on e's name (with iam:PermissionsBoundary when a boundary is set) and stores e
// in the caller's account with the permissions boundary ("" for none).
// Errors: InvalidInput, AccessDenied, NoSuchEntity (boundary), EntityAlreadyExists.
func (s *Service) createIdentity(ctx context.Context, k kind, e *entity, boundary string) error {
	if err := checkBoundaryARN(boundary); err != nil {
		return err
	}
	if err := checkTagKeys(e.Tags); err != nil {
		return err
	}
	p, err := s.allowWith(ctx, "Create"+k.title, boundaryKeys(boundary), func(account string) string { return k.arn(account, e.Name) })
	if err != nil {
		return err
	}
	e.Account = p.Account
	return s.update(ctx, func(tx store.Tx) error {
		if err := s.setBoundary(tx, e, boundary); err != nil {
			return err
		}
		return s.createEntity(tx, k, e)
	})
}

// listEntities returns the account's entities of a kind whose path starts with pathPrefix, by name.
func (s *Service) listEntities(tx store.Tx, k kind, account, pathPrefix string) ([]*entity, error) {
	var out []*entity
	err := k.table.Scan(tx, account+"/", "", func(_ string, e *entity) error {
		if strings.HasPrefix(e.Path, pathPrefix) {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// deleteIdentity is the body of DeleteUser, DeleteRole and DeleteGroup: it checks the name,
// authorizes iam:Delete<Kind> and deletes the identity unless conflict (the kind's own conflicts,
// checked first; nil for none) or deleteEntity's refuses.
func (s *Service) deleteIdentity(ctx context.Context, k kind, name string, conflict func(store.Tx, *entity) error) error {
	v := newValidation()
	k.checkName(v, name)
	if err := v.Err(); err != nil {
		return err
	}
	return s.updateEntity(ctx, k, "Delete"+k.title, name, nil, func(tx store.Tx, e *entity) error {
		if conflict != nil {
			if err := conflict(tx, e); err != nil {
				return err
			}
		}
		return s.deleteEntity(tx, k, e)
	})
}

// deleteEntity removes an entity after AWS's conflict checks: no inline or attached policies
// (and, for groups, no members). A permissions boundary does not hold a deletion up (DeleteUser
// and DeleteRole do not list it among what must go first); its policy's usage count drops.
func (s *Service) deleteEntity(tx store.Tx, k kind, e *entity) error {
	switch {
	case len(e.Inline) > 0:
		return awserr.New(awserr.DeleteConflict, "Cannot delete entity, must delete policies first.")
	case len(e.Attached) > 0:
		return awserr.New(awserr.DeleteConflict, "Cannot delete entity, must detach all policies first.")
	case len(e.Members) > 0:
		return awserr.New(awserr.DeleteConflict, "Cannot delete entity, must remove users from group first.")
	}
	if err := s.setBoundary(tx, e, ""); err != nil {
		return err
	}
	return k.table.Delete(tx, entityKey(e.Account, e.Name))
}

func entityName(e *entity) string { return strings.ToLower(e.Name) }
