package iam

import (
	"context"

	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/store"
)

// Role session duration limits (seconds).
const (
	defaultMaxSessionDuration = 3600
	maxMaxSessionDuration     = 43200
)

// roleOut is a role as GetRole and CreateRole return it, with its permissions boundary.
func roleOut(e *entity) *Role {
	r := roleListed(e)
	r.PermissionsBoundary = boundaryOut(e.Boundary)
	return r
}

// roleListed is a role as ListRoles returns it: without its permissions boundary.
func roleListed(e *entity) *Role {
	return &Role{Path: e.Path, RoleName: e.Name, RoleID: e.ID, Arn: e.ARN(), CreateDate: e.Created,
		AssumeRolePolicyDocument: EncodeDocument(e.TrustPolicy), Description: e.Description,
		MaxSessionDuration: e.MaxSessionDuration, Tags: tagList(e.Tags)}
}

// CreateRoleInput is the CreateRole request.
type CreateRoleInput struct {
	RoleName                 string
	Path                     string
	AssumeRolePolicyDocument string
	Description              string
	MaxSessionDuration       *int32
	PermissionsBoundary      string
	Tags                     []Tag
}

// CreateRoleOutput is the CreateRole response.
type CreateRoleOutput struct {
	Role *Role `xml:"Role"`
}

// CreateRole creates a role with a trust policy, stored exactly as given, and the permissions
// boundary it names. Errors: ValidationError, MalformedPolicyDocument, InvalidInput, NoSuchEntity
// (boundary), EntityAlreadyExists, AccessDenied.
func (s *Service) CreateRole(ctx context.Context, in *CreateRoleInput) (*CreateRoleOutput, error) {
	v := newValidation()
	roleKind.checkName(v, in.RoleName)
	checkPath(v, "path", in.Path)
	maxDuration := int32(defaultMaxSessionDuration)
	if in.MaxSessionDuration != nil {
		maxDuration = *in.MaxSessionDuration
		if maxDuration < defaultMaxSessionDuration || maxDuration > maxMaxSessionDuration {
			v.Constraint("maxSessionDuration", maxDuration, "Member must have value between 3600 and 43200")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkPolicyDocument(in.AssumeRolePolicyDocument, policy.Trust, policy.MaxTrustPolicySize); err != nil {
		return nil, err
	}
	e := &entity{Name: in.RoleName, Path: in.Path, TrustPolicy: in.AssumeRolePolicyDocument,
		Description: in.Description, MaxSessionDuration: maxDuration, Tags: in.Tags}
	if err := s.createIdentity(ctx, roleKind, e, in.PermissionsBoundary); err != nil {
		return nil, err
	}
	return &CreateRoleOutput{Role: roleOut(e)}, nil
}

// GetRoleInput is the GetRole request.
type GetRoleInput struct{ RoleName string }

// GetRoleOutput is the GetRole response.
type GetRoleOutput struct {
	Role *Role `xml:"Role"`
}

// GetRole describes a role, with its URL-encoded trust policy.
// Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) GetRole(ctx context.Context, in *GetRoleInput) (*GetRoleOutput, error) {
	v := newValidation()
	roleKind.checkName(v, in.RoleName)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *Role
	err := s.viewEntity(ctx, roleKind, "GetRole", in.RoleName, func(_ store.Tx, e *entity) error {
		out = roleOut(e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &GetRoleOutput{Role: out}, nil
}

// DeleteRoleInput is the DeleteRole request.
type DeleteRoleInput struct{ RoleName string }

// DeleteRoleOutput is the (empty) DeleteRole response.
type DeleteRoleOutput struct{}

// DeleteRole deletes a role that has no inline or attached policies and is in no instance
// profile. Errors: ValidationError, NoSuchEntity, DeleteConflict, AccessDenied.
func (s *Service) DeleteRole(ctx context.Context, in *DeleteRoleInput) (*DeleteRoleOutput, error) {
	if err := s.deleteIdentity(ctx, roleKind, in.RoleName, roleInProfile); err != nil {
		return nil, err
	}
	return &DeleteRoleOutput{}, nil
}

// ListRolesInput is the ListRoles request.
type ListRolesInput struct {
	PathPrefix string
	Paging
}

// ListRolesOutput is the ListRoles response.
type ListRolesOutput struct {
	Roles []*Role `xml:"Roles>member"`
	PageInfo
}

// ListRoles lists the account's roles, by name. Errors: ValidationError, AccessDenied.
func (s *Service) ListRoles(ctx context.Context, in *ListRolesInput) (*ListRolesOutput, error) {
	es, info, err := s.listKind(ctx, roleKind, "ListRoles", in.PathPrefix, in.Paging)
	if err != nil {
		return nil, err
	}
	return &ListRolesOutput{Roles: each(es, roleListed), PageInfo: info}, nil
}

// UpdateAssumeRolePolicyInput is the UpdateAssumeRolePolicy request.
type UpdateAssumeRolePolicyInput struct {
	RoleName       string
	PolicyDocument string
}

// UpdateAssumeRolePolicyOutput is the (empty) UpdateAssumeRolePolicy response.
type UpdateAssumeRolePolicyOutput struct{}

// UpdateAssumeRolePolicy replaces a role's trust policy.
// Errors: ValidationError, MalformedPolicyDocument, NoSuchEntity, AccessDenied.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, in *UpdateAssumeRolePolicyInput) (*UpdateAssumeRolePolicyOutput, error) {
	v := newValidation()
	roleKind.checkName(v, in.RoleName)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkPolicyDocument(in.PolicyDocument, policy.Trust, policy.MaxTrustPolicySize); err != nil {
		return nil, err
	}
	err := s.updateEntity(ctx, roleKind, "UpdateAssumeRolePolicy", in.RoleName, nil, func(tx store.Tx, e *entity) error {
		e.TrustPolicy = in.PolicyDocument
		return s.putEntity(tx, roleKind, e)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateAssumeRolePolicyOutput{}, nil
}

// RoleInfo is what STS needs of a role to issue a session.
type RoleInfo struct {
	Account, Name, ARN, ID string
	TrustPolicy            string
	MaxSessionDuration     int32
}

// RoleForSession returns a role by name for STS AssumeRole (which authorizes the caller against the
// role's trust policy itself). Errors: NoSuchEntity.
func (s *Service) RoleForSession(ctx context.Context, account, name string) (*RoleInfo, error) {
	e, err := s.loadEntity(ctx, roleKind, account, name)
	if err != nil {
		return nil, err
	}
	return &RoleInfo{Account: e.Account, Name: e.Name, ARN: e.ARN(), ID: e.ID, TrustPolicy: e.TrustPolicy, MaxSessionDuration: e.MaxSessionDuration}, nil
}
