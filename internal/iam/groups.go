package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/store"
)

func groupOut(e *entity) *Group {
	return &Group{Path: e.Path, GroupName: e.Name, GroupID: e.ID, Arn: e.ARN(), CreateDate: e.Created}
}

func (s *Service) groupARN(account, name string) string {
	return "arn:aws:iam::" + account + ":group/" + name
}

// groupsOf returns the account's groups that have user as a member.
func (s *Service) groupsOf(tx store.Tx, account, user string) ([]*entity, error) {
	all, err := s.listEntities(tx, groupKind, account, "/")
	if err != nil {
		return nil, err
	}
	var out []*entity
	for _, g := range all {
		if slices.ContainsFunc(g.Members, func(m string) bool { return strings.EqualFold(m, user) }) {
			out = append(out, g)
		}
	}
	return out, nil
}

// CreateGroupInput is the CreateGroup request.
type CreateGroupInput struct {
	GroupName string
	Path      string
}

// CreateGroupOutput is the CreateGroup response.
type CreateGroupOutput struct {
	Group *Group `xml:"Group"`
}

// CreateGroup creates a group. Errors: ValidationError, EntityAlreadyExists, AccessDenied.
func (s *Service) CreateGroup(ctx context.Context, in *CreateGroupInput) (*CreateGroupOutput, error) {
	v := newValidation()
	groupKind.checkName(v, in.GroupName)
	checkPath(v, "path", in.Path)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.allow(ctx, "CreateGroup", func(account string) string { return s.groupARN(account, in.GroupName) })
	if err != nil {
		return nil, err
	}
	e := &entity{Account: p.Account, Name: in.GroupName, Path: in.Path}
	if err := s.update(ctx, func(tx store.Tx) error { return s.createEntity(tx, groupKind, e) }); err != nil {
		return nil, err
	}
	return &CreateGroupOutput{Group: groupOut(e)}, nil
}

// GetGroupInput is the GetGroup request.
type GetGroupInput struct {
	GroupName string
	Paging
}

// GetGroupOutput is the GetGroup response: the group and a page of its users.
type GetGroupOutput struct {
	Group *Group  `xml:"Group"`
	Users []*User `xml:"Users>member"`
	PageInfo
}

// GetGroup describes a group and lists its users. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) GetGroup(ctx context.Context, in *GetGroupInput) (*GetGroupOutput, error) {
	v := newValidation()
	groupKind.checkName(v, in.GroupName)
	checkMaxItems(v, in.MaxItems)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.allow(ctx, "GetGroup", func(account string) string { return s.groupARN(account, in.GroupName) })
	if err != nil {
		return nil, err
	}
	var g *entity
	var users []*entity
	err = s.db.View(ctx, func(tx store.Tx) error {
		if g, err = s.getEntity(tx, groupKind, p.Account, in.GroupName); err != nil {
			return err
		}
		for _, m := range g.Members {
			u, err := s.getEntity(tx, userKind, p.Account, m)
			if err != nil {
				return err
			}
			users = append(users, u)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(users, func(a, b *entity) int { return strings.Compare(entityName(a), entityName(b)) })
	items, truncated, next := page(users, entityName, in.Marker, in.MaxItems)
	out := &GetGroupOutput{Group: groupOut(g), Users: []*User{}, PageInfo: PageInfo{IsTruncated: truncated, Marker: next}}
	for _, u := range items {
		out.Users = append(out.Users, userOut(u))
	}
	return out, nil
}

// DeleteGroupInput is the DeleteGroup request.
type DeleteGroupInput struct{ GroupName string }

// DeleteGroupOutput is the (empty) DeleteGroup response.
type DeleteGroupOutput struct{}

// DeleteGroup deletes a group with no members and no policies.
// Errors: ValidationError, NoSuchEntity, DeleteConflict, AccessDenied.
func (s *Service) DeleteGroup(ctx context.Context, in *DeleteGroupInput) (*DeleteGroupOutput, error) {
	v := newValidation()
	groupKind.checkName(v, in.GroupName)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.allow(ctx, "DeleteGroup", func(account string) string { return s.groupARN(account, in.GroupName) })
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		g, err := s.getEntity(tx, groupKind, p.Account, in.GroupName)
		if err != nil {
			return err
		}
		return s.deleteEntity(tx, groupKind, g)
	})
	if err != nil {
		return nil, err
	}
	return &DeleteGroupOutput{}, nil
}

// ListGroupsInput is the ListGroups request.
type ListGroupsInput struct {
	PathPrefix string
	Paging
}

// ListGroupsOutput is the ListGroups response.
type ListGroupsOutput struct {
	Groups []*Group `xml:"Groups>member"`
	PageInfo
}

// ListGroups lists the account's groups, by name. Errors: ValidationError, AccessDenied.
func (s *Service) ListGroups(ctx context.Context, in *ListGroupsInput) (*ListGroupsOutput, error) {
	es, info, err := s.listKind(ctx, groupKind, "ListGroups", in.PathPrefix, in.Paging)
	if err != nil {
		return nil, err
	}
	out := &ListGroupsOutput{Groups: []*Group{}, PageInfo: info}
	for _, e := range es {
		out.Groups = append(out.Groups, groupOut(e))
	}
	return out, nil
}

// GroupMembershipInput is the AddUserToGroup and RemoveUserFromGroup request.
type GroupMembershipInput struct {
	GroupName string
	UserName  string
}

// GroupMembershipOutput is the (empty) AddUserToGroup and RemoveUserFromGroup response.
type GroupMembershipOutput struct{}

// AddUserToGroup makes a user a member of a group (adding a member twice is not an error).
// Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) AddUserToGroup(ctx context.Context, in *GroupMembershipInput) (*GroupMembershipOutput, error) {
	return s.changeMembership(ctx, "AddUserToGroup", in, true)
}

// RemoveUserFromGroup removes a user from a group. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) RemoveUserFromGroup(ctx context.Context, in *GroupMembershipInput) (*GroupMembershipOutput, error) {
	return s.changeMembership(ctx, "RemoveUserFromGroup", in, false)
}

func (s *Service) changeMembership(ctx context.Context, action string, in *GroupMembershipInput, add bool) (*GroupMembershipOutput, error) {
	v := newValidation()
	groupKind.checkName(v, in.GroupName)
	userKind.checkName(v, in.UserName)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.allow(ctx, action, func(account string) string { return s.groupARN(account, in.GroupName) })
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		g, err := s.getEntity(tx, groupKind, p.Account, in.GroupName)
		if err != nil {
			return err
		}
		u, err := s.getEntity(tx, userKind, p.Account, in.UserName)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(g.Members, func(m string) bool { return strings.EqualFold(m, u.Name) })
		switch {
		case add && i < 0:
			g.Members = append(g.Members, u.Name)
		case !add && i >= 0:
			g.Members = slices.Delete(g.Members, i, i+1)
		case !add:
			return awserr.New(awserr.NoSuchEntity, "The user with name %s cannot be found in the group %s.", u.Name, g.Name)
		}
		return s.putEntity(tx, groupKind, g)
	})
	if err != nil {
		return nil, err
	}
	return &GroupMembershipOutput{}, nil
}

// ListGroupsForUserInput is the ListGroupsForUser request.
type ListGroupsForUserInput struct {
	UserName string
	Paging
}

// ListGroupsForUserOutput is the ListGroupsForUser response.
type ListGroupsForUserOutput struct {
	Groups []*Group `xml:"Groups>member"`
	PageInfo
}

// ListGroupsForUser lists the groups a user belongs to. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) ListGroupsForUser(ctx context.Context, in *ListGroupsForUserInput) (*ListGroupsForUserOutput, error) {
	v := newValidation()
	userKind.checkName(v, in.UserName)
	checkMaxItems(v, in.MaxItems)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.allow(ctx, "ListGroupsForUser", func(account string) string { return s.userARN(account, in.UserName) })
	if err != nil {
		return nil, err
	}
	var groups []*entity
	err = s.db.View(ctx, func(tx store.Tx) error {
		if _, err := s.getEntity(tx, userKind, p.Account, in.UserName); err != nil {
			return err
		}
		groups, err = s.groupsOf(tx, p.Account, in.UserName)
		return err
	})
	if err != nil {
		return nil, err
	}
	items, truncated, next := page(groups, entityName, in.Marker, in.MaxItems)
	out := &ListGroupsForUserOutput{Groups: []*Group{}, PageInfo: PageInfo{IsTruncated: truncated, Marker: next}}
	for _, g := range items {
		out.Groups = append(out.Groups, groupOut(g))
	}
	return out, nil
}
