package iam

import "github.com/keytrail/keytrail/internal/protocol/awsquery"

// API version and XML namespace of IAM's query protocol.
const (
	APIVersion = "2010-05-08"
	Namespace  = "https://iam.amazonaws.com/doc/2010-05-08/"
)

// API returns IAM's operation table for the query protocol.
func (s *Service) API() *awsquery.Service {
	return &awsquery.Service{
		Name:      "iam",
		Version:   APIVersion,
		Namespace: Namespace,
		Global:    true, // IAM is global: its calls are recorded in us-east-1
		Operations: map[string]awsquery.Handler{
			"CreateUser":                    awsquery.Handle(s.CreateUser),
			"GetUser":                       awsquery.Handle(s.GetUser).ReadOnly(),
			"DeleteUser":                    awsquery.Handle(s.DeleteUser),
			"ListUsers":                     awsquery.Handle(s.ListUsers).ReadOnly(),
			"CreateAccessKey":               awsquery.Handle(s.CreateAccessKey),
			"DeleteAccessKey":               awsquery.Handle(s.DeleteAccessKey),
			"UpdateAccessKey":               awsquery.Handle(s.UpdateAccessKey),
			"ListAccessKeys":                awsquery.Handle(s.ListAccessKeys).ReadOnly(),
			"CreateLoginProfile":            awsquery.Handle(s.CreateLoginProfile),
			"GetLoginProfile":               awsquery.Handle(s.GetLoginProfile).ReadOnly(),
			"UpdateLoginProfile":            awsquery.Handle(s.UpdateLoginProfile),
			"DeleteLoginProfile":            awsquery.Handle(s.DeleteLoginProfile),
			"ChangePassword":                awsquery.Handle(s.ChangePassword),
			"CreateRole":                    awsquery.Handle(s.CreateRole),
			"GetRole":                       awsquery.Handle(s.GetRole).ReadOnly(),
			"DeleteRole":                    awsquery.Handle(s.DeleteRole),
			"ListRoles":                     awsquery.Handle(s.ListRoles).ReadOnly(),
			"UpdateAssumeRolePolicy":        awsquery.Handle(s.UpdateAssumeRolePolicy),
			"PutUserPermissionsBoundary":    awsquery.Handle(s.PutUserPermissionsBoundary),
			"DeleteUserPermissionsBoundary": awsquery.Handle(s.DeleteUserPermissionsBoundary),
			"PutRolePermissionsBoundary":    awsquery.Handle(s.PutRolePermissionsBoundary),
			"DeleteRolePermissionsBoundary": awsquery.Handle(s.DeleteRolePermissionsBoundary),
			"CreateGroup":                   awsquery.Handle(s.CreateGroup),
			"GetGroup":                      awsquery.Handle(s.GetGroup).ReadOnly(),
			"DeleteGroup":                   awsquery.Handle(s.DeleteGroup),
			"ListGroups":                    awsquery.Handle(s.ListGroups).ReadOnly(),
			"AddUserToGroup":                awsquery.Handle(s.AddUserToGroup),
			"RemoveUserFromGroup":           awsquery.Handle(s.RemoveUserFromGroup),
			"ListGroupsForUser":             awsquery.Handle(s.ListGroupsForUser).ReadOnly(),
			"PutUserPolicy":                 awsquery.Handle(s.PutUserPolicy),
			"GetUserPolicy":                 awsquery.Handle(s.GetUserPolicy).ReadOnly(),
			"DeleteUserPolicy":              awsquery.Handle(s.DeleteUserPolicy),
			"ListUserPolicies":              awsquery.Handle(s.ListUserPolicies).ReadOnly(),
			"PutRolePolicy":                 awsquery.Handle(s.PutRolePolicy),
			"GetRolePolicy":                 awsquery.Handle(s.GetRolePolicy).ReadOnly(),
			"DeleteRolePolicy":              awsquery.Handle(s.DeleteRolePolicy),
			"ListRolePolicies":              awsquery.Handle(s.ListRolePolicies).ReadOnly(),
			"PutGroupPolicy":                awsquery.Handle(s.PutGroupPolicy),
			"GetGroupPolicy":                awsquery.Handle(s.GetGroupPolicy).ReadOnly(),
			"DeleteGroupPolicy":             awsquery.Handle(s.DeleteGroupPolicy),
			"ListGroupPolicies":             awsquery.Handle(s.ListGroupPolicies).ReadOnly(),
			"CreatePolicy":                  awsquery.Handle(s.CreatePolicy),
			"GetPolicy":                     awsquery.Handle(s.GetPolicy).ReadOnly(),
			"DeletePolicy":                  awsquery.Handle(s.DeletePolicy),
			"GetPolicyVersion":              awsquery.Handle(s.GetPolicyVersion).ReadOnly(),
			"ListPolicies":                  awsquery.Handle(s.ListPolicies).ReadOnly(),
			"AttachUserPolicy":              awsquery.Handle(s.AttachUserPolicy),
			"DetachUserPolicy":              awsquery.Handle(s.DetachUserPolicy),
			"ListAttachedUserPolicies":      awsquery.Handle(s.ListAttachedUserPolicies).ReadOnly(),
			"AttachRolePolicy":              awsquery.Handle(s.AttachRolePolicy),
			"DetachRolePolicy":              awsquery.Handle(s.DetachRolePolicy),
			"ListAttachedRolePolicies":      awsquery.Handle(s.ListAttachedRolePolicies).ReadOnly(),
			"AttachGroupPolicy":             awsquery.Handle(s.AttachGroupPolicy),
			"DetachGroupPolicy":             awsquery.Handle(s.DetachGroupPolicy),
			"ListAttachedGroupPolicies":     awsquery.Handle(s.ListAttachedGroupPolicies).ReadOnly(),
			"CreateInstanceProfile":         awsquery.Handle(s.CreateInstanceProfile),
			"GetInstanceProfile":            awsquery.Handle(s.GetInstanceProfile).ReadOnly(),
			"DeleteInstanceProfile":         awsquery.Handle(s.DeleteInstanceProfile),
			"AddRoleToInstanceProfile":      awsquery.Handle(s.AddRoleToInstanceProfile),
			"RemoveRoleFromInstanceProfile": awsquery.Handle(s.RemoveRoleFromInstanceProfile),
			"ListInstanceProfiles":          awsquery.Handle(s.ListInstanceProfiles).ReadOnly(),
			"ListInstanceProfilesForRole":   awsquery.Handle(s.ListInstanceProfilesForRole).ReadOnly(),
		},
	}
}
