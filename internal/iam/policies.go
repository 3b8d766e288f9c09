package iam

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/store"
)

// ---- Inline policies (users, roles, groups) ----

func (k kind) arn(account, name string) string {
	return "arn:aws:iam::" + account + ":" + k.noun + "/" + name
}

func validatePolicyName(v *awserr.Validation, name string) {
	checkName(v, "policyName", name, 128)
}

// putInline stores (or replaces) an inline policy, exactly as given.
func (s *Service) putInline(ctx context.Context, k kind, holder, policyName, doc string) error {
	v := newValidation()
	k.checkName(v, holder)
	validatePolicyName(v, policyName)
	if err := v.Err(); err != nil {
		return err
	}
	if err := checkPolicyDocument(doc, policy.Identity, k.maxDoc); err != nil {
		return err
	}
	p, err := s.allow(ctx, "Put"+k.title+"Policy", func(account string) string { return k.arn(account, holder) })
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		e, err := s.getEntity(tx, k, p.Account, holder)
		if err != nil {
			return err
		}
		if e.Inline == nil {
			e.Inline = map[string]string{}
		}
		// Inline policy names are case-insensitive: replace an existing one of another case.
		for n := range e.Inline {
			if strings.EqualFold(n, policyName) {
				delete(e.Inline, n)
			}
		}
		e.Inline[policyName] = doc
		return s.putEntity(tx, k, e)
	})
}

// inlinePolicy finds an inline policy by case-insensitive name.
func inlinePolicy(k kind, e *entity, policyName string) (string, string, error) {
	for n, d := range e.Inline {
		if strings.EqualFold(n, policyName) {
			return n, d, nil
		}
	}
	return "", "", awserr.New(awserr.NoSuchEntity, "The %s policy with name %s cannot be found.", k.noun, policyName)
}

func (s *Service) getInline(ctx context.Context, k kind, holder, policyName string) (holderName, name, doc string, err error) {
	v := newValidation()
	k.checkName(v, holder)
	validatePolicyName(v, policyName)
	if err := v.Err(); err != nil {
		return "", "", "", err
	}
	p, err := s.allow(ctx, "Get"+k.title+"Policy", func(account string) string { return k.arn(account, holder) })
	if err != nil {
		return "", "", "", err
	}
	err = s.db.View(ctx, func(tx store.Tx) error {
		e, err := s.getEntity(tx, k, p.Account, holder)
		if err != nil {
			return err
		}
		holderName = e.Name
		name, doc, err = inlinePolicy(k, e, policyName)
		return err
	})
	return holderName, name, doc, err
}

func (s *Service) deleteInline(ctx context.Context, k kind, holder, policyName string) error {
	v := newValidation()
	k.checkName(v, holder)
	validatePolicyName(v, policyName)
	if err := v.Err(); err != nil {
		return err
	}
	p, err := s.allow(ctx, "Delete"+k.title+"Policy", func(account string) string { return k.arn(account, holder) })
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		e, err := s.getEntity(tx, k, p.Account, holder)
		if err != nil {
			return err
		}
		name, _, err := inlinePolicy(k, e, policyName)
		if err != nil {
			return err
		}
		delete(e.Inline, name)
		return s.putEntity(tx, k, e)
	})
}

func (s *Service) listInline(ctx context.Context, k kind, holder string, pg Paging) ([]string, PageInfo, error) {
	v := newValidation()
	k.checkName(v, holder)
	checkMaxItems(v, pg.MaxItems)
	if err := v.Err(); err != nil {
		return nil, PageInfo{}, err
	}
	p, err := s.allow(ctx, "List"+k.title+"Policies", func(account string) string { return k.arn(account, holder) })
	if err != nil {
		return nil, PageInfo{}, err
	}
	var names []string
	err = s.db.View(ctx, func(tx store.Tx) error {
		e, err := s.getEntity(tx, k, p.Account, holder)
		if err != nil {
			return err
		}
		names = slices.Sorted(maps.Keys(e.Inline))
		return nil
	})
	if err != nil {
		return nil, PageInfo{}, err
	}
	items, truncated, next := page(names, func(n string) string { return n }, pg.Marker, pg.MaxItems)
	return append([]string{}, items...), PageInfo{IsTruncated: truncated, Marker: next}, nil
}

// PutUserPolicyInput is the PutUserPolicy request.
type PutUserPolicyInput struct{ UserName, PolicyName, PolicyDocument string }

// PutRolePolicyInput is the PutRolePolicy request.
type PutRolePolicyInput struct{ RoleName, PolicyName, PolicyDocument string }

// PutGroupPolicyInput is the PutGroupPolicy request.
type PutGroupPolicyInput struct{ GroupName, PolicyName, PolicyDocument string }

// InlinePolicyRef names an inline policy (the Get/Delete…Policy requests).
type InlinePolicyRef struct{ UserName, RoleName, GroupName, PolicyName string }

// GetUserPolicyOutput is the GetUserPolicy response; the document is URL-encoded.
type GetUserPolicyOutput struct{ UserName, PolicyName, PolicyDocument string }

// GetRolePolicyOutput is the GetRolePolicy response; the document is URL-encoded.
type GetRolePolicyOutput struct{ RoleName, PolicyName, PolicyDocument string }

// GetGroupPolicyOutput is the GetGroupPolicy response; the document is URL-encoded.
type GetGroupPolicyOutput struct{ GroupName, PolicyName, PolicyDocument string }

// HolderPaging is a List…Policies request.
type HolderPaging struct {
	UserName, RoleName, GroupName string
	Paging
}

// ListInlinePoliciesOutput is the List{User,Role,Group}Policies response.
type ListInlinePoliciesOutput struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	PageInfo
}

// Empty is the response of operations that return nothing.
type Empty struct{}

// PutUserPolicy adds or replaces a user's inline policy.
// Errors: ValidationError, MalformedPolicyDocument, NoSuchEntity, AccessDenied.
func (s *Service) PutUserPolicy(ctx context.Context, in *PutUserPolicyInput) (*Empty, error) {
	return &Empty{}, s.putInline(ctx, userKind, in.UserName, in.PolicyName, in.PolicyDocument)
}

// PutRolePolicy adds or replaces a role's inline policy.
// Errors: ValidationError, MalformedPolicyDocument, NoSuchEntity, AccessDenied.
func (s *Service) PutRolePolicy(ctx context.Context, in *PutRolePolicyInput) (*Empty, error) {
	return &Empty{}, s.putInline(ctx, roleKind, in.RoleName, in.PolicyName, in.PolicyDocument)
}

// PutGroupPolicy adds or replaces a group's inline policy.
// Errors: ValidationError, MalformedPolicyDocument, NoSuchEntity, AccessDenied.
func (s *Service) PutGroupPolicy(ctx context.Context, in *PutGroupPolicyInput) (*Empty, error) {
	return &Empty{}, s.putInline(ctx, groupKind, in.GroupName, in.PolicyName, in.PolicyDocument)
}

// GetUserPolicy returns a user's inline policy. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) GetUserPolicy(ctx context.Context, in *InlinePolicyRef) (*GetUserPolicyOutput, error) {
	h, n, d, err := s.getInline(ctx, userKind, in.UserName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetUserPolicyOutput{UserName: h, PolicyName: n, PolicyDocument: EncodeDocument(d)}, nil
}

// GetRolePolicy returns a role's inline policy. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) GetRolePolicy(ctx context.Context, in *InlinePolicyRef) (*GetRolePolicyOutput, error) {
	h, n, d, err := s.getInline(ctx, roleKind, in.RoleName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetRolePolicyOutput{RoleName: h, PolicyName: n, PolicyDocument: EncodeDocument(d)}, nil
}

// GetGroupPolicy returns a group's inline policy. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) GetGroupPolicy(ctx context.Context, in *InlinePolicyRef) (*GetGroupPolicyOutput, error) {
	h, n, d, err := s.getInline(ctx, groupKind, in.GroupName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetGroupPolicyOutput{GroupName: h, PolicyName: n, PolicyDocument: EncodeDocument(d)}, nil
}

// DeleteUserPolicy deletes a user's inline policy. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) DeleteUserPolicy(ctx context.Context, in *InlinePolicyRef) (*Empty, error) {
	return &Empty{}, s.deleteInline(ctx, userKind, in.UserName, in.PolicyName)
}

// DeleteRolePolicy deletes a role's inline policy. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) DeleteRolePolicy(ctx context.Context, in *InlinePolicyRef) (*Empty, error) {
	return &Empty{}, s.deleteInline(ctx, roleKind, in.RoleName, in.PolicyName)
}

// DeleteGroupPolicy deletes a group's inline policy. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) DeleteGroupPolicy(ctx context.Context, in *InlinePolicyRef) (*Empty, error) {
	return &Empty{}, s.deleteInline(ctx, groupKind, in.GroupName, in.PolicyName)
}

// ListUserPolicies lists a user's inline policy names. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) ListUserPolicies(ctx context.Context, in *HolderPaging) (*ListInlinePoliciesOutput, error) {
	names, info, err := s.listInline(ctx, userKind, in.UserName, in.Paging)
	return &ListInlinePoliciesOutput{PolicyNames: names, PageInfo: info}, err
}

// ListRolePolicies lists a role's inline policy names. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) ListRolePolicies(ctx context.Context, in *HolderPaging) (*ListInlinePoliciesOutput, error) {
	names, info, err := s.listInline(ctx, roleKind, in.RoleName, in.Paging)
	return &ListInlinePoliciesOutput{PolicyNames: names, PageInfo: info}, err
}

// ListGroupPolicies lists a group's inline policy names. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) ListGroupPolicies(ctx context.Context, in *HolderPaging) (*ListInlinePoliciesOutput, error) {
	names, info, err := s.listInline(ctx, groupKind, in.GroupName, in.Paging)
	return &ListInlinePoliciesOutput{PolicyNames: names, PageInfo: info}, err
}

// ---- Managed policies ----

// managedPolicy is the stored form of a customer managed policy (format version 1).
type managedPolicy struct {
	store.Version
	Account     string          `json:"account"`
	Name        string          `json:"name"`
	Path        string          `json:"path"`
	ID          string          `json:"id"`
	Description string          `json:"description,omitempty"`
	Created     time.Time       `json:"created"`
	Updated     time.Time       `json:"updated"`
	Versions    []policyVersion `json:"versions"`
	Default     string          `json:"default"`
	Attachments int32           `json:"attachments"`
	Boundaries  int32           `json:"boundaries,omitempty"` // users and roles it is the permissions boundary of
	Tags        []Tag           `json:"tags,omitempty"`
}

// policyRecords is the table of customer managed policies, by account and lower-case name.
var policyRecords = store.Table[managedPolicy]{Name: tablePolicies}

type policyVersion struct {
	ID       string    `json:"id"`
	Document string    `json:"document"` // exactly as given
	Created  time.Time `json:"created"`
}

func (m *managedPolicy) ARN() string {
	return "arn:aws:iam::" + m.Account + ":policy" + m.Path + m.Name
}

func (m *managedPolicy) out() *Policy {
	return &Policy{PolicyName: m.Name, PolicyID: m.ID, Arn: m.ARN(), Path: m.Path, DefaultVersionID: m.Default,
		AttachmentCount: m.Attachments, PermissionsBoundaryUsageCount: m.Boundaries, IsAttachable: true, Description: m.Description,
		CreateDate: m.Created, UpdateDate: m.Updated, Tags: tagList(m.Tags)}
}

// defaultDocument is the document of the policy's default version.
func (m *managedPolicy) defaultDocument() string {
	for _, v := range m.Versions {
		if v.ID == m.Default {
			return v.Document
		}
	}
	return ""
}

// awsManaged are the AWS managed policies keytrail knows (account "aws").
var awsManaged = map[string]*managedPolicy{
	"arn:aws:iam::aws:policy/AdministratorAccess": {
		Account: "aws", Name: "AdministratorAccess", Path: "/", ID: "ANPAIWMBCKSKIEE64ZLYK", Default: "v1",
		Created: time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC), Updated: time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC),
		Description: "Provides full access to AWS services and resources.",
		Versions: []policyVersion{{ID: "v1", Created: time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}},
	},
}

var policyARNPattern = regexp.MustCompile(`^arn:aws:iam::([0-9]{12}|aws):policy(/|/[\x21-\x7E]*/)([\w+=,.@-]{1,128})$`)

// parsePolicyARN splits a policy ARN into its account, path and name.
func parsePolicyARN(arn string) (account, path, name string, err error) {
	m := policyARNPattern.FindStringSubmatch(arn)
	if m == nil {
		return "", "", "", awserr.New(awserr.InvalidInput, "ARN %s is not valid.", arn)
	}
	return m[1], m[2], m[3], nil
}

func policyNotFound(arn string) error {
	return awserr.New(awserr.NoSuchEntity, "Policy %s does not exist or is not attachable.", arn)
}

// getPolicy loads a managed policy by ARN: an AWS managed one (a copy, which its caller may
// change without changing it for everyone), or a customer managed one in the caller's account.
func (s *Service) getPolicy(tx store.Tx, account, arn string) (*managedPolicy, error) {
	if m, ok := awsManaged[arn]; ok {
		c := *m
		return &c, nil
	}
	acct, path, name, err := parsePolicyARN(arn)
	if err != nil {
		return nil, err
	}
	if acct != account {
		return nil, policyNotFound(arn)
	}
	m, err := policyRecords.Get(tx, entityKey(account, name))
	switch {
	case err != nil:
		return nil, err
	case m == nil || m.Path != path:
		return nil, policyNotFound(arn)
	}
	return m, nil
}

// loadPolicy reads a managed policy in its own transaction.
func (s *Service) loadPolicy(ctx context.Context, account, arn string) (m *managedPolicy, err error) {
	err = s.db.View(ctx, func(tx store.Tx) error {
		m, err = s.getPolicy(tx, account, arn)
		return err
	})
	return m, err
}

func putPolicy(tx store.Tx, m *managedPolicy) error {
	if m.Account == "aws" {
		return nil // AWS managed policies are not stored; their attachments are not counted
	}
	return policyRecords.Put(tx, entityKey(m.Account, m.Name), m)
}

// CreatePolicyInput is the CreatePolicy request.
type CreatePolicyInput struct {
	PolicyName     string
	Path           string
	PolicyDocument string
	Description    string
	Tags           []Tag
}

// PolicyOutput is the CreatePolicy and GetPolicy response.
type PolicyOutput struct {
	Policy *Policy `xml:"Policy"`
}

// CreatePolicy creates a customer managed policy whose version v1 is the document, as given.
// Errors: ValidationError, MalformedPolicyDocument, EntityAlreadyExists, AccessDenied.
func (s *Service) CreatePolicy(ctx context.Context, in *CreatePolicyInput) (*PolicyOutput, error) {
	v := newValidation()
	validatePolicyName(v, in.PolicyName)
	checkPath(v, "path", in.Path)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkPolicyDocument(in.PolicyDocument, policy.Identity, policy.MaxManagedPolicySize); err != nil {
		return nil, err
	}
	if err := checkTagKeys(in.Tags); err != nil {
		return nil, err
	}
	path := in.Path
	if path == "" {
		path = "/"
	}
	p, err := s.allow(ctx, "CreatePolicy", func(account string) string {
		return "arn:aws:iam::" + account + ":policy" + path + in.PolicyName
	})
	if err != nil {
		return nil, err
	}
	id, err := s.newID("ANPA", 17)
	if err != nil {
		return nil, err
	}
	now := s.stamp()
	m := &managedPolicy{Account: p.Account, Name: in.PolicyName, Path: path, ID: id, Description: in.Description,
		Created: now, Updated: now, Default: "v1", Tags: in.Tags,
		Versions: []policyVersion{{ID: "v1", Document: in.PolicyDocument, Created: now}}}
	err = s.update(ctx, func(tx store.Tx) error {
		switch old, err := policyRecords.Get(tx, entityKey(p.Account, in.PolicyName)); {
		case err != nil:
			return err
		case old != nil:
			return awserr.New(awserr.EntityAlreadyExists, "A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
		}
		return putPolicy(tx, m)
	})
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{Policy: m.out()}, nil
}

// PolicyARNInput is a request naming a managed policy (GetPolicy, DeletePolicy).
type PolicyARNInput struct {
	PolicyArn string
}

// GetPolicy describes a managed policy. Errors: InvalidInput, NoSuchEntity, AccessDenied.
func (s *Service) GetPolicy(ctx context.Context, in *PolicyARNInput) (*PolicyOutput, error) {
	p, err := s.allow(ctx, "GetPolicy", func(_ string) string { return in.PolicyArn })
	if err != nil {
		return nil, err
	}
	m, err := s.loadPolicy(ctx, p.Account, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{Policy: m.out()}, nil
}

// DeletePolicy deletes a customer managed policy that is attached to nothing and is no user's or
// role's permissions boundary.
// Errors: InvalidInput, NoSuchEntity, DeleteConflict, AccessDenied.
func (s *Service) DeletePolicy(ctx context.Context, in *PolicyARNInput) (*Empty, error) {
	p, err := s.allow(ctx, "DeletePolicy", func(_ string) string { return in.PolicyArn })
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		m, err := s.getPolicy(tx, p.Account, in.PolicyArn)
		if err != nil {
			return err
		}
		if m.Account == "aws" {
			return awserr.New(awserr.AccessDenied, "AWS managed policies cannot be deleted.")
		}
		if m.Attachments > 0 || m.Boundaries > 0 {
			return awserr.New(awserr.DeleteConflict, "Cannot delete a policy attached to entities.")
		}
		return policyRecords.Delete(tx, entityKey(m.Account, m.Name))
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// GetPolicyVersionInput is the GetPolicyVersion request.
type GetPolicyVersionInput struct {
	PolicyArn string
	VersionID string `query:"VersionId"`
}

// GetPolicyVersionOutput is the GetPolicyVersion response.
type GetPolicyVersionOutput struct {
	PolicyVersion *PolicyVersion `xml:"PolicyVersion"`
}

// GetPolicyVersion returns one version of a managed policy, its document URL-encoded.
// Errors: ValidationError, InvalidInput, NoSuchEntity, AccessDenied.
func (s *Service) GetPolicyVersion(ctx context.Context, in *GetPolicyVersionInput) (*GetPolicyVersionOutput, error) {
	p, err := s.allow(ctx, "GetPolicyVersion", func(_ string) string { return in.PolicyArn })
	if err != nil {
		return nil, err
	}
	m, err := s.loadPolicy(ctx, p.Account, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	for _, pv := range m.Versions {
		if pv.ID == in.VersionID {
			return &GetPolicyVersionOutput{PolicyVersion: &PolicyVersion{Document: EncodeDocument(pv.Document),
				VersionID: pv.ID, IsDefaultVersion: pv.ID == m.Default, CreateDate: pv.Created}}, nil
		}
	}
	return nil, awserr.New(awserr.NoSuchEntity, "Policy %s version %s does not exist or is not attachable.", in.PolicyArn, in.VersionID)
}

// ListPoliciesInput is the ListPolicies request.
type ListPoliciesInput struct {
	Scope        string
	OnlyAttached *bool
	PathPrefix   string
	Paging
}

// ListPoliciesOutput is the ListPolicies response.
type ListPoliciesOutput struct {
	Policies []*Policy `xml:"Policies>member"`
	PageInfo
}

// ListPolicies lists managed policies: AWS managed, the account's own (Local), or both (All).
// Errors: ValidationError, AccessDenied.
func (s *Service) ListPolicies(ctx context.Context, in *ListPoliciesInput) (*ListPoliciesOutput, error) {
	v := newValidation()
	checkMaxItems(v, in.MaxItems)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.allow(ctx, "ListPolicies", func(account string) string { return "arn:aws:iam::" + account + ":policy/" })
	if err != nil {
		return nil, err
	}
	var all []*managedPolicy
	if in.Scope != "Local" {
		for _, m := range awsManaged {
			all = append(all, m)
		}
	}
	if in.Scope != "AWS" {
		err = s.db.View(ctx, func(tx store.Tx) error {
			return policyRecords.Scan(tx, p.Account+"/", "", func(_ string, m *managedPolicy) error {
				all = append(all, m)
				return nil
			})
		})
		if err != nil {
			return nil, err
		}
	}
	all = slices.DeleteFunc(all, func(m *managedPolicy) bool {
		return !strings.HasPrefix(m.Path, in.PathPrefix) || (in.OnlyAttached != nil && *in.OnlyAttached && m.Attachments == 0)
	})
	slices.SortFunc(all, func(a, b *managedPolicy) int { return strings.Compare(a.ARN(), b.ARN()) })
	items, truncated, next := page(all, (*managedPolicy).ARN, in.Marker, in.MaxItems)
	out := &ListPoliciesOutput{Policies: []*Policy{}, PageInfo: PageInfo{IsTruncated: truncated, Marker: next}}
	for _, m := range items {
		out.Policies = append(out.Policies, m.out())
	}
	return out, nil
}

// ---- Attachments ----

// AttachInput is the Attach/Detach{User,Role,Group}Policy request.
type AttachInput struct {
	UserName, RoleName, GroupName string
	PolicyArn                     string
}

// holderName picks the name of the kind's identity from a request naming a user, role or group.
func holderName(k kind, user, role, group string) string {
	switch k {
	case userKind:
		return user
	case roleKind:
		return role
	}
	return group
}

func (s *Service) attach(ctx context.Context, k kind, in *AttachInput, attach bool) (*Empty, error) {
	holder := holderName(k, in.UserName, in.RoleName, in.GroupName)
	v := newValidation()
	k.checkName(v, holder)
	if err := v.Err(); err != nil {
		return nil, err
	}
	action := "Attach" + k.title + "Policy"
	if !attach {
		action = "Detach" + k.title + "Policy"
	}
	p, err := s.allow(ctx, action, func(account string) string { return k.arn(account, holder) })
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		e, err := s.getEntity(tx, k, p.Account, holder)
		if err != nil {
			return err
		}
		i := slices.Index(e.Attached, in.PolicyArn)
		if !attach {
			if i < 0 {
				return awserr.New(awserr.NoSuchEntity, "Policy %s was not found.", in.PolicyArn)
			}
			e.Attached = slices.Delete(e.Attached, i, i+1)
			if m, err := s.getPolicy(tx, p.Account, in.PolicyArn); err == nil {
				m.Attachments--
				if err := putPolicy(tx, m); err != nil {
					return err
				}
			}
			return s.putEntity(tx, k, e)
		}
		m, err := s.getPolicy(tx, p.Account, in.PolicyArn)
		if err != nil {
			return err
		}
		if i >= 0 {
			return nil
		}
		e.Attached = append(e.Attached, in.PolicyArn)
		m.Attachments++
		if err := putPolicy(tx, m); err != nil {
			return err
		}
		return s.putEntity(tx, k, e)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// AttachUserPolicy attaches a managed policy to a user. Errors: ValidationError, InvalidInput, NoSuchEntity, AccessDenied.
func (s *Service) AttachUserPolicy(ctx context.Context, in *AttachInput) (*Empty, error) {
	return s.attach(ctx, userKind, in, true)
}

// AttachRolePolicy attaches a managed policy to a role. Errors: ValidationError, InvalidInput, NoSuchEntity, AccessDenied.
func (s *Service) AttachRolePolicy(ctx context.Context, in *AttachInput) (*Empty, error) {
	return s.attach(ctx, roleKind, in, true)
}

// AttachGroupPolicy attaches a managed policy to a group. Errors: ValidationError, InvalidInput, NoSuchEntity, AccessDenied.
func (s *Service) AttachGroupPolicy(ctx context.Context, in *AttachInput) (*Empty, error) {
	return s.attach(ctx, groupKind, in, true)
}

// DetachUserPolicy detaches a managed policy from a user. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) DetachUserPolicy(ctx context.Context, in *AttachInput) (*Empty, error) {
	return s.attach(ctx, userKind, in, false)
}

// DetachRolePolicy detaches a managed policy from a role. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) DetachRolePolicy(ctx context.Context, in *AttachInput) (*Empty, error) {
	return s.attach(ctx, roleKind, in, false)
}

// DetachGroupPolicy detaches a managed policy from a group. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) DetachGroupPolicy(ctx context.Context, in *AttachInput) (*Empty, error) {
	return s.attach(ctx, groupKind, in, false)
}

// ListAttachedInput is the ListAttached{User,Role,Group}Policies request.
type ListAttachedInput struct {
	UserName, RoleName, GroupName string
	PathPrefix                    string
	Paging
}

// ListAttachedOutput is the ListAttached{User,Role,Group}Policies response.
type ListAttachedOutput struct {
	AttachedPolicies []*AttachedPolicy `xml:"AttachedPolicies>member"`
	PageInfo
}

func (s *Service) listAttached(ctx context.Context, k kind, in *ListAttachedInput) (*ListAttachedOutput, error) {
	holder := holderName(k, in.UserName, in.RoleName, in.GroupName)
	v := newValidation()
	k.checkName(v, holder)
	checkMaxItems(v, in.MaxItems)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.allow(ctx, "ListAttached"+k.title+"Policies", func(account string) string { return k.arn(account, holder) })
	if err != nil {
		return nil, err
	}
	var all []*AttachedPolicy
	err = s.db.View(ctx, func(tx store.Tx) error {
		e, err := s.getEntity(tx, k, p.Account, holder)
		if err != nil {
			return err
		}
		for _, arn := range e.Attached {
			m, err := s.getPolicy(tx, p.Account, arn)
			if err != nil {
				return err
			}
			if strings.HasPrefix(m.Path, in.PathPrefix) {
				all = append(all, &AttachedPolicy{PolicyName: m.Name, PolicyArn: arn})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b *AttachedPolicy) int { return strings.Compare(a.PolicyArn, b.PolicyArn) })
	items, truncated, next := page(all, func(a *AttachedPolicy) string { return a.PolicyArn }, in.Marker, in.MaxItems)
	return &ListAttachedOutput{AttachedPolicies: append([]*AttachedPolicy{}, items...), PageInfo: PageInfo{IsTruncated: truncated, Marker: next}}, nil
}

// ListAttachedUserPolicies lists the managed policies attached to a user.
// Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, in *ListAttachedInput) (*ListAttachedOutput, error) {
	return s.listAttached(ctx, userKind, in)
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
// Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, in *ListAttachedInput) (*ListAttachedOutput, error) {
	return s.listAttached(ctx, roleKind, in)
}

// ListAttachedGroupPolicies lists the managed policies attached to a group.
// Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) ListAttachedGroupPolicies(ctx context.Context, in *ListAttachedInput) (*ListAttachedOutput, error) {
	return s.listAttached(ctx, groupKind, in)
}
