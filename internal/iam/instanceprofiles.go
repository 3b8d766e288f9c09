package iam

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/store"
)

// Instance profiles are containers for a role
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html):
// keytrail keeps them as far as a role's lifecycle needs them — a role in an instance profile
// cannot be deleted until it is removed, and tools that delete a role (the Terraform AWS provider)
// first list its instance profiles.

const (
	tableInstanceProfiles = "iam.instance-profiles"
	// maxRolesPerProfile is the quota of roles in an instance profile
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: "Roles in an
	// instance profile: 1").
	maxRolesPerProfile = 1
)

var profileKind = kind{store.Table[entity]{Name: tableInstanceProfiles}, "instance-profile", "InstanceProfile", "AIPA", 128, 0}

// InstanceProfile is an instance profile with its roles.
type InstanceProfile struct {
	Path                string    `xml:"Path"`
	InstanceProfileName string    `xml:"InstanceProfileName"`
	InstanceProfileID   string    `xml:"InstanceProfileId"`
	Arn                 string    `xml:"Arn"`
	CreateDate          time.Time `xml:"CreateDate"`
	Roles               []*Role   `xml:"Roles>member"`
	Tags                *TagList  `xml:"Tags,omitempty"`
}

// profileOut is an instance profile with its roles as they are now (a role deleted meanwhile
// cannot be: DeleteRole refuses a role in a profile).
func profileOut(tx store.Tx, e *entity) (*InstanceProfile, error) {
	out := &InstanceProfile{Path: e.Path, InstanceProfileName: e.Name, InstanceProfileID: e.ID, Arn: e.ARN(),
		CreateDate: e.Created, Roles: []*Role{}, Tags: tagList(e.Tags)}
	for _, name := range e.Members {
		r, err := roleKind.table.Get(tx, entityKey(e.Account, name))
		if err != nil {
			return nil, err
		}
		if r != nil {
			out.Roles = append(out.Roles, roleListed(r))
		}
	}
	return out, nil
}

// CreateInstanceProfileInput is the CreateInstanceProfile request.
type CreateInstanceProfileInput struct {
	InstanceProfileName string
	Path                string
	Tags                []Tag
}

// InstanceProfileOutput is the response of CreateInstanceProfile and GetInstanceProfile.
type InstanceProfileOutput struct {
	InstanceProfile *InstanceProfile `xml:"InstanceProfile"`
}

// CreateInstanceProfile creates an empty instance profile.
// Errors: ValidationError, InvalidInput, EntityAlreadyExists, AccessDenied.
func (s *Service) CreateInstanceProfile(ctx context.Context, in *CreateInstanceProfileInput) (*InstanceProfileOutput, error) {
	v := newValidation()
	checkName(v, "instanceProfileName", in.InstanceProfileName, profileKind.maxName)
	checkPath(v, "path", in.Path)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkTagKeys(in.Tags); err != nil {
		return nil, err
	}
	p, err := s.allow(ctx, "CreateInstanceProfile", func(account string) string { return profileKind.arn(account, in.InstanceProfileName) })
	if err != nil {
		return nil, err
	}
	e := &entity{Account: p.Account, Name: in.InstanceProfileName, Path: in.Path, Tags: in.Tags}
	var out *InstanceProfile
	err = s.update(ctx, func(tx store.Tx) error {
		if err := s.createEntity(tx, profileKind, e); err != nil {
			return err
		}
		out, err = profileOut(tx, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &InstanceProfileOutput{InstanceProfile: out}, nil
}

// InstanceProfileInput is the request of GetInstanceProfile and DeleteInstanceProfile.
type InstanceProfileInput struct{ InstanceProfileName string }

// GetInstanceProfile returns an instance profile with its roles.
// Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) GetInstanceProfile(ctx context.Context, in *InstanceProfileInput) (*InstanceProfileOutput, error) {
	if err := checkProfileName(in.InstanceProfileName); err != nil {
		return nil, err
	}
	var out *InstanceProfile
	err := s.viewEntity(ctx, profileKind, "GetInstanceProfile", in.InstanceProfileName, func(tx store.Tx, e *entity) (err error) {
		out, err = profileOut(tx, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &InstanceProfileOutput{InstanceProfile: out}, nil
}

// DeleteInstanceProfile deletes an instance profile that holds no role.
// Errors: ValidationError, NoSuchEntity, DeleteConflict, AccessDenied.
func (s *Service) DeleteInstanceProfile(ctx context.Context, in *InstanceProfileInput) (*Empty, error) {
	if err := checkProfileName(in.InstanceProfileName); err != nil {
		return nil, err
	}
	err := s.updateEntity(ctx, profileKind, "DeleteInstanceProfile", in.InstanceProfileName, nil, func(tx store.Tx, e *entity) error {
		if len(e.Members) > 0 {
			return awserr.New(awserr.DeleteConflict, "Cannot delete entity, must remove roles from instance profile first.")
		}
		return profileKind.table.Delete(tx, entityKey(e.Account, e.Name))
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ProfileRoleInput is the request of AddRoleToInstanceProfile and RemoveRoleFromInstanceProfile.
type ProfileRoleInput struct {
	InstanceProfileName string
	RoleName            string
}

// AddRoleToInstanceProfile puts a role in an instance profile, which holds at most one. The
// caller needs iam:PassRole on the role as well ("The caller of this operation must be granted
// the PassRole permission on the IAM role by a permissions policy",
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html).
// Errors: ValidationError, NoSuchEntity, EntityAlreadyExists, LimitExceeded, AccessDenied.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, in *ProfileRoleInput) (*Empty, error) {
	return s.profileRole(ctx, "AddRoleToInstanceProfile", in, func(e *entity, role string) error {
		switch {
		case slices.ContainsFunc(e.Members, func(m string) bool { return strings.EqualFold(m, role) }):
			return awserr.New(awserr.EntityAlreadyExists, "Role %s is already in instance profile %s.", role, e.Name)
		case len(e.Members) >= maxRolesPerProfile:
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: %d", maxRolesPerProfile)
		}
		e.Members = append(e.Members, role)
		return nil
	})
}

// RemoveRoleFromInstanceProfile takes a role out of an instance profile.
// Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, in *ProfileRoleInput) (*Empty, error) {
	return s.profileRole(ctx, "RemoveRoleFromInstanceProfile", in, func(e *entity, role string) error {
		i := slices.IndexFunc(e.Members, func(m string) bool { return strings.EqualFold(m, role) })
		if i < 0 {
			return awserr.New(awserr.NoSuchEntity, "Role %s in instance profile %s cannot be found.", role, e.Name)
		}
		e.Members = slices.Delete(e.Members, i, i+1)
		return nil
	})
}

// profileRole is the body of AddRoleToInstanceProfile and RemoveRoleFromInstanceProfile: it
// checks the names, authorizes the action on the profile (and iam:PassRole on the role when a
// role is added), and changes the profile's roles with change, given the role's name as created.
func (s *Service) profileRole(ctx context.Context, action string, in *ProfileRoleInput, change func(*entity, string) error) (*Empty, error) {
	v := newValidation()
	checkName(v, "instanceProfileName", in.InstanceProfileName, profileKind.maxName)
	roleKind.checkName(v, in.RoleName)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.allow(ctx, action, func(account string) string { return profileKind.arn(account, in.InstanceProfileName) })
	if err != nil {
		return nil, err
	}
	if action == "AddRoleToInstanceProfile" {
		if err := s.authorize(ctx, p, "PassRole", roleKind.arn(p.Account, in.RoleName)); err != nil {
			return nil, err
		}
	}
	err = s.entityTx(ctx, true, profileKind, p.Account, in.InstanceProfileName, func(tx store.Tx, e *entity) error {
		role, err := s.getEntity(tx, roleKind, p.Account, in.RoleName)
		if err != nil {
			return err
		}
		if err := change(e, role.Name); err != nil {
			return err
		}
		return s.putEntity(tx, profileKind, e)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListInstanceProfilesInput is the ListInstanceProfiles request.
type ListInstanceProfilesInput struct {
	PathPrefix string
	Paging
}

// ListInstanceProfilesOutput is the response of ListInstanceProfiles and
// ListInstanceProfilesForRole.
type ListInstanceProfilesOutput struct {
	InstanceProfiles []*InstanceProfile `xml:"InstanceProfiles>member"`
	PageInfo
}

// ListInstanceProfiles lists the account's instance profiles, by name.
// Errors: ValidationError, AccessDenied.
func (s *Service) ListInstanceProfiles(ctx context.Context, in *ListInstanceProfilesInput) (*ListInstanceProfilesOutput, error) {
	es, info, err := s.listKind(ctx, profileKind, "ListInstanceProfiles", in.PathPrefix, in.Paging)
	if err != nil {
		return nil, err
	}
	return s.profilesOut(ctx, es, info)
}

// ListInstanceProfilesForRoleInput is the ListInstanceProfilesForRole request.
type ListInstanceProfilesForRoleInput struct {
	RoleName string
	Paging
}

// ListInstanceProfilesForRole lists the instance profiles a role is in, by name. Authorized on
// the role (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
// Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, in *ListInstanceProfilesForRoleInput) (*ListInstanceProfilesOutput, error) {
	v := newValidation()
	roleKind.checkName(v, in.RoleName)
	checkMaxItems(v, in.MaxItems)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var held []*entity
	err := s.viewEntity(ctx, roleKind, "ListInstanceProfilesForRole", in.RoleName, func(tx store.Tx, role *entity) (err error) {
		held, err = profilesWith(tx, role)
		return err
	})
	if err != nil {
		return nil, err
	}
	items, info := page(held, entityName, in.Paging)
	return s.profilesOut(ctx, items, info)
}

// profilesWith returns the instance profiles that hold role.
func profilesWith(tx store.Tx, role *entity) ([]*entity, error) {
	var out []*entity
	err := profileKind.table.Scan(tx, role.Account+"/", "", func(_ string, e *entity) error {
		if slices.ContainsFunc(e.Members, func(m string) bool { return strings.EqualFold(m, role.Name) }) {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

func (s *Service) profilesOut(ctx context.Context, es []*entity, info PageInfo) (*ListInstanceProfilesOutput, error) {
	out := &ListInstanceProfilesOutput{InstanceProfiles: []*InstanceProfile{}, PageInfo: info}
	err := s.db.View(ctx, func(tx store.Tx) error {
		for _, e := range es {
			p, err := profileOut(tx, e)
			if err != nil {
				return err
			}
			out.InstanceProfiles = append(out.InstanceProfiles, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkProfileName checks an instance profile's name.
func checkProfileName(name string) error {
	v := newValidation()
	checkName(v, "instanceProfileName", name, profileKind.maxName)
	return v.Err()
}

// roleInProfile refuses to delete a role that an instance profile holds.
func roleInProfile(tx store.Tx, role *entity) error {
	ps, err := profilesWith(tx, role)
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		return awserr.New(awserr.DeleteConflict, "Cannot delete entity, must remove roles from instance profile first.")
	}
	return nil
}
