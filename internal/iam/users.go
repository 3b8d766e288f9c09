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

func (s *Service) userARN(account, name string) string {
	return "arn:aws:iam::" + account + ":user/" + name
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
	if err := checkBoundaryARN(in.PermissionsBoundary); err != nil {
		return nil, err
	}
	if err := checkTagKeys(in.Tags); err != nil {
		return nil, err
	}
	p, err := s.allowWith(ctx, "CreateUser", boundaryKeys(in.PermissionsBoundary), func(account string) string { return s.userARN(account, in.UserName) })
	if err != nil {
		return nil, err
	}
	e := &entity{Account: p.Account, Name: in.UserName, Path: in.Path, Tags: in.Tags}
	if err := s.update(ctx, func(tx store.Tx) error {
		if err := s.setBoundary(tx, e, in.PermissionsBoundary); err != nil {
			return err
		}
		return s.createEntity(tx, userKind, e)
	}); err != nil {
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
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	name := in.UserName
	if name == "" {
		switch p.Type {
		case identity.IAMUser:
			name = p.UserName
		case identity.Root:
			if err := s.authorize(ctx, p, "GetUser", p.ARN); err != nil {
				return nil, err
			}
			created, err := s.accountCreated(ctx, p.Account)
			if err != nil {
				return nil, err
			}
			return &GetUserOutput{User: &User{Path: "/", UserID: p.Account, Arn: p.ARN, CreateDate: created}}, nil
		default:
			return nil, awserr.New(awserr.ValidationError, "Must specify userName when calling with non-User credentials")
		}
	}
	v := newValidation()
	checkNameForm(v, "userName", name, userKind.maxName)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, p, "GetUser", s.userARN(p.Account, name)); err != nil {
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
	v := newValidation()
	userKind.checkName(v, in.UserName)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.allow(ctx, "DeleteUser", func(account string) string { return s.userARN(account, in.UserName) })
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		e, err := s.getEntity(tx, userKind, p.Account, in.UserName)
		if err != nil {
			return err
		}
		keys, err := s.userKeyIDs(tx, p.Account, e.Name)
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			return awserr.New(awserr.DeleteConflict, "Cannot delete entity, must delete access keys first.")
		}
		groups, err := s.groupsOf(tx, p.Account, e.Name)
		if err != nil {
			return err
		}
		if len(groups) > 0 {
			return awserr.New(awserr.DeleteConflict, "Cannot delete entity, must remove user from all groups first.")
		}
		return s.deleteEntity(tx, userKind, e)
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
	out := &ListUsersOutput{Users: []*User{}, PageInfo: info}
	for _, e := range es {
		out.Users = append(out.Users, userListed(e))
	}
	return out, nil
}

// listKind is the body of ListUsers, ListRoles and ListGroups.
func (s *Service) listKind(ctx context.Context, k kind, action, pathPrefix string, pg Paging) ([]*entity, PageInfo, error) {
	v := newValidation()
	checkMaxItems(v, pg.MaxItems)
	if err := v.Err(); err != nil {
		return nil, PageInfo{}, err
	}
	p, err := s.allow(ctx, action, func(account string) string { return "arn:aws:iam::" + account + ":" + k.noun + "/" })
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
	items, truncated, next := page(all, entityName, pg.Marker, pg.MaxItems)
	return items, PageInfo{IsTruncated: truncated, Marker: next}, nil
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
