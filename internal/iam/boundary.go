package iam

import (
	"context"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/store"
)

// Permissions boundaries: a managed policy that sets the most a user's or role's identity
// policies can grant (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
// IAM stores the policy's ARN on the entity; the policy engine evaluates it (authz.Document.Boundary).

// checkBoundaryARN checks the form of a PermissionsBoundary: a managed policy's ARN.
// Errors: InvalidInput.
func checkBoundaryARN(arn string) error {
	if arn == "" {
		return nil
	}
	_, _, _, err := parsePolicyARN(arn)
	return err
}

// boundaryKeys are the condition keys of an operation that sets a boundary: iam:PermissionsBoundary
// is the ARN being set ("Filters access by whether the specified policy is set as the permissions
// boundary on the IAM entity", Service Authorization Reference for IAM). Nil when none is set.
func boundaryKeys(arn string) authz.Map {
	if arn == "" {
		return nil
	}
	return authz.Map{"iam:PermissionsBoundary": {arn}}
}

// setBoundary makes arn (a managed policy's ARN; "" for none) e's permissions boundary and keeps
// the policies' PermissionsBoundaryUsageCount; the caller stores or deletes e. A policy that does
// not exist is refused as IAM refuses it. Errors: NoSuchEntity.
func (s *Service) setBoundary(tx store.Tx, e *entity, arn string) error {
	if e.Boundary == arn {
		return nil
	}
	if arn != "" {
		m, err := s.getPolicy(tx, e.Account, arn)
		if awserr.HasCode(err, awserr.NoSuchEntity) {
			return awserr.New(awserr.NoSuchEntity, "Scope ARN: %s does not exist or is not attachable.", arn)
		}
		if err != nil {
			return err
		}
		m.Boundaries++
		if err := putPolicy(tx, m); err != nil {
			return err
		}
	}
	if e.Boundary != "" {
		m, err := s.getPolicy(tx, e.Account, e.Boundary)
		switch {
		case err == nil:
			m.Boundaries--
			if err := putPolicy(tx, m); err != nil {
				return err
			}
		case !awserr.HasCode(err, awserr.NoSuchEntity):
			return err
		}
	}
	e.Boundary = arn
	return nil
}

// PutUserPermissionsBoundaryInput is the PutUserPermissionsBoundary request.
type PutUserPermissionsBoundaryInput struct {
	UserName            string
	PermissionsBoundary string
}

// PutUserPermissionsBoundary sets (or replaces) a user's permissions boundary.
// Errors: ValidationError, InvalidInput, NoSuchEntity, AccessDenied.
func (s *Service) PutUserPermissionsBoundary(ctx context.Context, in *PutUserPermissionsBoundaryInput) (*Empty, error) {
	return s.putBoundary(ctx, userKind, in.UserName, in.PermissionsBoundary, true)
}

// PutRolePermissionsBoundaryInput is the PutRolePermissionsBoundary request.
type PutRolePermissionsBoundaryInput struct {
	RoleName            string
	PermissionsBoundary string
}

// PutRolePermissionsBoundary sets (or replaces) a role's permissions boundary; it limits the
// role's sessions from their next request on.
// Errors: ValidationError, InvalidInput, NoSuchEntity, AccessDenied.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, in *PutRolePermissionsBoundaryInput) (*Empty, error) {
	return s.putBoundary(ctx, roleKind, in.RoleName, in.PermissionsBoundary, true)
}

// DeleteUserPermissionsBoundaryInput is the DeleteUserPermissionsBoundary request.
type DeleteUserPermissionsBoundaryInput struct{ UserName string }

// DeleteUserPermissionsBoundary removes a user's permissions boundary; a user without one is
// left as it is. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, in *DeleteUserPermissionsBoundaryInput) (*Empty, error) {
	return s.putBoundary(ctx, userKind, in.UserName, "", false)
}

// DeleteRolePermissionsBoundaryInput is the DeleteRolePermissionsBoundary request.
type DeleteRolePermissionsBoundaryInput struct{ RoleName string }

// DeleteRolePermissionsBoundary removes a role's permissions boundary; a role without one is
// left as it is. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, in *DeleteRolePermissionsBoundaryInput) (*Empty, error) {
	return s.putBoundary(ctx, roleKind, in.RoleName, "", false)
}

// putBoundary is the body of the Put (put, arn required) and Delete (arn "") operations.
func (s *Service) putBoundary(ctx context.Context, k kind, holder, arn string, put bool) (*Empty, error) {
	action := "Delete" + k.title + "PermissionsBoundary"
	v := newValidation()
	k.checkName(v, holder)
	if put {
		action = "Put" + k.title + "PermissionsBoundary"
		v.Required("permissionsBoundary", arn)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkBoundaryARN(arn); err != nil {
		return nil, err
	}
	p, err := s.allowWith(ctx, action, boundaryKeys(arn), func(account string) string { return k.arn(account, holder) })
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		e, err := s.getEntity(tx, k, p.Account, holder)
		if err != nil {
			return err
		}
		if err := s.setBoundary(tx, e, arn); err != nil {
			return err
		}
		return s.putEntity(tx, k, e)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}
