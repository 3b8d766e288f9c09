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
		Operations: map[string]awsquery.Handler{
			"CreateUser":                    awsquery.Handle(s.CreateUser),
			"GetUser":                       awsquery.Handle(s.GetUser),
			"DeleteUser":                    awsquery.Handle(s.DeleteUser),
			"ListUsers":                     awsquery.Handle(s.ListUsers),
			"CreateAccessKey":               awsquery.Handle(s.CreateAccessKey),
			"DeleteAccessKey":               awsquery.Handle(s.DeleteAccessKey),
			"UpdateAccessKey":               awsquery.Handle(s.UpdateAccessKey),
			"ListAccessKeys":                awsquery.Handle(s.ListAccessKeys),
			"CreateRole":                    awsquery.Handle(s.CreateRole),
			"GetRole":                       awsquery.Handle(s.GetRole),
			"DeleteRole":                    awsquery.Handle(s.DeleteRole),
			"ListRoles":                     awsquery.Handle(s.ListRoles),
			"UpdateAssumeRolePolicy":        awsquery.Handle(s.UpdateAssumeRolePolicy),
			"PutUserPermissionsBoundary":    awsquery.Handle(s.PutUserPermissionsBoundary),
			"DeleteUserPermissionsBoundary": awsquery.Handle(s.DeleteUserPermissionsBoundary),
			"PutRolePermissionsBoundary":    awsquery.Handle(s.PutRolePermissionsBoundary),
			"DeleteRolePermissionsBoundary": awsquery.Handle(s.DeleteRolePermissionsBoundary),
			"CreateGroup":                   awsquery.Handle(s.CreateGroup),
			"GetGroup":                      awsquery.Handle(s.GetGroup),
			"DeleteGroup":                   awsquery.Handle(s.DeleteGroup),
			"ListGroups":                    awsquery.Handle(s.ListGroups),
			"AddUserToGroup":                awsquery.Handle(s.AddUserToGroup),
			"RemoveUserFromGroup":           awsquery.Handle(s.RemoveUserFromGroup),
			"ListGroupsForUser":             awsquery.Handle(s.ListGroupsForUser),
			"PutUserPolicy":                 awsquery.Handle(s.PutUserPolicy),
			"GetUserPolicy":                 awsquery.Handle(s.GetUserPolicy),
			"DeleteUserPolicy":              awsquery.Handle(s.DeleteUserPolicy),
			"ListUserPolicies":              awsquery.Handle(s.ListUserPolicies),
			"PutRolePolicy":                 awsquery.Handle(s.PutRolePolicy),
			"GetRolePolicy":                 awsquery.Handle(s.GetRolePolicy),
			"DeleteRolePolicy":              awsquery.Handle(s.DeleteRolePolicy),
			"ListRolePolicies":              awsquery.Handle(s.ListRolePolicies),
			"PutGroupPolicy":                awsquery.Handle(s.PutGroupPolicy),
			"GetGroupPolicy":                awsquery.Handle(s.GetGroupPolicy),
			"DeleteGroupPolicy":             awsquery.Handle(s.DeleteGroupPolicy),
			"ListGroupPolicies":             awsquery.Handle(s.ListGroupPolicies),
			"CreatePolicy":                  awsquery.Handle(s.CreatePolicy),
			"GetPolicy":                     awsquery.Handle(s.GetPolicy),
			"DeletePolicy":                  awsquery.Handle(s.DeletePolicy),
			"GetPolicyVersion":              awsquery.Handle(s.GetPolicyVersion),
			"ListPolicies":                  awsquery.Handle(s.ListPolicies),
			"AttachUserPolicy":              awsquery.Handle(s.AttachUserPolicy),
			"DetachUserPolicy":              awsquery.Handle(s.DetachUserPolicy),
			"ListAttachedUserPolicies":      awsquery.Handle(s.ListAttachedUserPolicies),
			"AttachRolePolicy":              awsquery.Handle(s.AttachRolePolicy),
			"DetachRolePolicy":              awsquery.Handle(s.DetachRolePolicy),
			"ListAttachedRolePolicies":      awsquery.Handle(s.ListAttachedRolePolicies),
			"AttachGroupPolicy":             awsquery.Handle(s.AttachGroupPolicy),
			"DetachGroupPolicy":             awsquery.Handle(s.DetachGroupPolicy),
			"ListAttachedGroupPolicies":     awsquery.Handle(s.ListAttachedGroupPolicies),
		},
	}
}
