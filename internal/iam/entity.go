package iam

import (
	"context"
	"strings"
	"time"

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

// ARN returns the entity's ARN: arn:aws:iam::<account>:<noun><path><name>.
func (e *entity) ARN() string { return "arn:aws:iam::" + e.Account + ":" + e.Kind + e.Path + e.Name }

// entityKey is the store key: names are unique per account regardless of case.
func entityKey(account, name string) string { return account + "/" + strings.ToLower(name) }

func (s *Service) getEntity(tx store.Tx, k kind, account, name string) (*entity, error) {
	e, err := k.table.Get(tx, entityKey(account, name))
	if err == nil && e == nil {
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
