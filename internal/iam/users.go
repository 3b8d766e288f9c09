package iam

import (
	"context"
	"fmt"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/store"
)

// userOut is a user as GetUser and CreateUser return it, with its permissions boundary.
func userOut(e *entity) *User {
	u := userListed(e)
	u.PermissionsBoundary = boundaryOut(e.Boundary)
	return u
}

// userListed is a user as ListUsers returns it: without its permissions boundary.
func userListed(e *entity) *User {
	return &User{Path: e.Path, UserName: e.Name, UserID: e.ID, Arn: e.ARN(), CreateDate: e.Created, Tags: tagList(e.Tags)}
}

// CreateUserInput is the CreateUser request.
type CreateUserInput struct {
	UserName            string
	Path                string
	PermissionsBoundary string
	Tags                []Tag
}

// CreateUserOutput is the CreateUser response.
type CreateUserOutput struct {
	User *User `xml:"User"`
}

// CreateUser creates an IAM user, with the permissions boundary it names. Errors: ValidationError,
// InvalidInput, NoSuchEntity (boundary), EntityAlreadyExists, AccessDenied.
func (s *Service) CreateUser(ctx context.Context, in *CreateUserInput) (*CreateUserOutput, error) {
	v := newValidation()
	userKind.checkName(v, in.UserName)
	checkPath(v, "path", in.Path)
	if err := v.Err(); err != nil {
		return nil, err
	}
	e := &entity{Name: in.UserName, Path: in.Path, Tags: in.Tags}
	if err := s.createIdentity(ctx, userKind, e, in.PermissionsBoundary); err != nil {
		return nil, err
	}
	return &CreateUserOutput{User: userOut(e)}, nil
}

// GetUserInput is the GetUser request; without UserName it describes the caller.
type GetUserInput struct{ UserName string }

// GetUserOutput is the GetUser response.
type GetUserOutput struct {
	User *User `xml:"User"`
}

// GetUser describes a user (the calling user, or the account root, when UserName is empty).
// Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) GetUser(ctx context.Context, in *GetUserInput) (*GetUserOutput, error) {
	if p, err := caller(ctx); err == nil && p.Type == identity.Root && in.UserName == "" {
		if err := s.authorize(ctx, p, "GetUser", p.ARN); err != nil {
			return nil, err
		}
		created, err := s.accountCreated(ctx, p.Account)
		if err != nil {
			return nil, err
		}
		return &GetUserOutput{User: &User{Path: "/", UserID: p.Account, Arn: p.ARN, CreateDate: created}}, nil
	}
	p, name, err := s.allowUser(ctx, "GetUser", in.UserName)
	if err != nil {
		return nil, err
	}
	e, err := s.loadEntity(ctx, userKind, p.Account, name)
	if err != nil {
		return nil, err
	}
	return &GetUserOutput{User: userOut(e)}, nil
}

// DeleteUserInput is the DeleteUser request.
type DeleteUserInput struct{ UserName string }

// DeleteUserOutput is the (empty) DeleteUser response.
type DeleteUserOutput struct{}

// DeleteUser deletes a user that has no access keys, policies or group memberships.
// Errors: ValidationError, NoSuchEntity, DeleteConflict, AccessDenied.
func (s *Service) DeleteUser(ctx context.Context, in *DeleteUserInput) (*DeleteUserOutput, error) {
	err := s.deleteIdentity(ctx, userKind, in.UserName, func(tx store.Tx, e *entity) error {
		keys, err := s.userKeyIDs(tx, e.Account, e.Name)
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			return awserr.New(awserr.DeleteConflict, "Cannot delete entity, must delete access keys first.")
		}
		groups, err := s.groupsOf(tx, e.Account, e.Name)
		if err != nil {
			return err
		}
		if len(groups) > 0 {
			return awserr.New(awserr.DeleteConflict, "Cannot delete entity, must remove user from all groups first.")
		}
		if has, err := hasLoginProfile(tx, e); err != nil || has {
			if err == nil {
				err = awserr.New(awserr.DeleteConflict, "Cannot delete entity, must delete login profile first.")
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteUserOutput{}, nil
}

// ListUsersInput is the ListUsers request.
type ListUsersInput struct {
	PathPrefix string
	Paging
}

// ListUsersOutput is the ListUsers response.
type ListUsersOutput struct {
	Users []*User `xml:"Users>member"`
	PageInfo
}

// ListUsers lists the account's users, by name. Errors: ValidationError, AccessDenied.
func (s *Service) ListUsers(ctx context.Context, in *ListUsersInput) (*ListUsersOutput, error) {
	es, info, err := s.listKind(ctx, userKind, "ListUsers", in.PathPrefix, in.Paging)
	if err != nil {
		return nil, err
	}
	return &ListUsersOutput{Users: each(es, userListed), PageInfo: info}, nil
}

// listKind is the body of ListUsers, ListRoles and ListGroups.
func (s *Service) listKind(ctx context.Context, k kind, action, pathPrefix string, pg Paging) ([]*entity, PageInfo, error) {
	v := newValidation()
	checkMaxItems(v, pg.MaxItems)
	if err := v.Err(); err != nil {
		return nil, PageInfo{}, err
	}
	p, err := s.allow(ctx, action, func(account string) string { return k.arn(account, "") })
	if err != nil {
		return nil, PageInfo{}, err
	}
	if pathPrefix == "" {
		pathPrefix = "/"
	}
	var all []*entity
	err = s.db.View(ctx, func(tx store.Tx) error {
		all, err = s.listEntities(tx, k, p.Account, pathPrefix)
		return err
	})
	if err != nil {
		return nil, PageInfo{}, err
	}
	items, info := page(all, entityName, pg)
	return items, info, nil
}

// accountCreated returns when the account came into being (its first authenticated use).
func (s *Service) accountCreated(ctx context.Context, account string) (time.Time, error) {
	if err := s.EnsureAccount(ctx, account); err != nil {
		return time.Time{}, err
	}
	var a *accountRecord
	err := s.db.View(ctx, func(tx store.Tx) error {
		var err error
		a, err = accountRecords.Get(tx, account)
		if err == nil && a == nil {
			err = fmt.Errorf("iam: account %s: %w", account, store.ErrNotFound)
		}
		return err
	})
	if err != nil {
		return time.Time{}, err
	}
	return a.Created, nil
}
