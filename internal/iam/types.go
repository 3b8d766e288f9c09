package iam

import "time"

// Shapes follow the IAM API model (botocore data/iam/2010-05-08/service-2.json); XML tags give the
// query protocol's element names, lists being <Name><member>…</member></Name>.

// Tag is a key-value tag.
type Tag struct {
	Key   string `xml:"Key" query:"Key" json:"key"`
	Value string `xml:"Value" query:"Value" json:"value"`
}

// TagList is a non-empty list of tags; a nil *TagList leaves the element out, as IAM does.
type TagList struct {
	Members []Tag `xml:"member"`
}

func tagList(tags []Tag) *TagList {
	if len(tags) == 0 {
		return nil
	}
	return &TagList{Members: tags}
}

// User is an IAM user.
type User struct {
	Path       string    `xml:"Path"`
	UserName   string    `xml:"UserName"`
	UserID     string    `xml:"UserId"`
	Arn        string    `xml:"Arn"`
	CreateDate time.Time `xml:"CreateDate"`
	// PermissionsBoundary is returned by GetUser, never by ListUsers ("This operation does not
	// return the following attributes … PermissionsBoundary", ListUsers in the IAM API Reference).
	PermissionsBoundary *AttachedPermissionsBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                *TagList                     `xml:"Tags,omitempty"`
}

// AttachedPermissionsBoundary names the managed policy that is a user's or role's permissions
// boundary. Its type is always PermissionsBoundaryPolicy, the one valid value of
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachedPermissionsBoundary.html
// (whose prose calls it "Policy").
type AttachedPermissionsBoundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

// boundaryOut is the response shape of a stored boundary ARN; nil when there is none.
func boundaryOut(arn string) *AttachedPermissionsBoundary {
	if arn == "" {
		return nil
	}
	return &AttachedPermissionsBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn}
}

// Role is an IAM role; AssumeRolePolicyDocument is URL-encoded, as IAM returns it.
type Role struct {
	Path                     string    `xml:"Path"`
	RoleName                 string    `xml:"RoleName"`
	RoleID                   string    `xml:"RoleId"`
	Arn                      string    `xml:"Arn"`
	CreateDate               time.Time `xml:"CreateDate"`
	AssumeRolePolicyDocument string    `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string    `xml:"Description,omitempty"`
	MaxSessionDuration       int32     `xml:"MaxSessionDuration,omitempty"`
	// PermissionsBoundary is returned by GetRole, never by ListRoles (as for User).
	PermissionsBoundary *AttachedPermissionsBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                *TagList                     `xml:"Tags,omitempty"`
}

// Group is an IAM group.
type Group struct {
	Path       string    `xml:"Path"`
	GroupName  string    `xml:"GroupName"`
	GroupID    string    `xml:"GroupId"`
	Arn        string    `xml:"Arn"`
	CreateDate time.Time `xml:"CreateDate"`
}

// AccessKey is a newly created access key, with its secret (returned once).
type AccessKey struct {
	UserName        string    `xml:"UserName"`
	AccessKeyID     string    `xml:"AccessKeyId"`
	Status          string    `xml:"Status"`
	SecretAccessKey string    `xml:"SecretAccessKey"`
	CreateDate      time.Time `xml:"CreateDate"`
}

// AccessKeyMetadata describes an access key without its secret.
type AccessKeyMetadata struct {
	UserName    string    `xml:"UserName"`
	AccessKeyID string    `xml:"AccessKeyId"`
	Status      string    `xml:"Status"`
	CreateDate  time.Time `xml:"CreateDate"`
}

// Policy is a managed policy.
type Policy struct {
	PolicyName                    string    `xml:"PolicyName"`
	PolicyID                      string    `xml:"PolicyId"`
	Arn                           string    `xml:"Arn"`
	Path                          string    `xml:"Path"`
	DefaultVersionID              string    `xml:"DefaultVersionId"`
	AttachmentCount               int32     `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int32     `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool      `xml:"IsAttachable"`
	Description                   string    `xml:"Description,omitempty"`
	CreateDate                    time.Time `xml:"CreateDate"`
	UpdateDate                    time.Time `xml:"UpdateDate"`
	Tags                          *TagList  `xml:"Tags,omitempty"`
}

// PolicyVersion is one version of a managed policy; Document is URL-encoded.
type PolicyVersion struct {
	Document         string    `xml:"Document"`
	VersionID        string    `xml:"VersionId"`
	IsDefaultVersion bool      `xml:"IsDefaultVersion"`
	CreateDate       time.Time `xml:"CreateDate"`
}

// AttachedPolicy names a managed policy attached to an identity.
type AttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

// Paging is the page request every List operation takes.
type Paging struct {
	Marker   string
	MaxItems *int32
}

// PageInfo is the page state every List operation returns.
type PageInfo struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}
