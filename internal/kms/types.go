package kms

import "github.com/keytrail/keytrail/internal/protocol/awsjson"

// Shapes follow the KMS API model (botocore data/kms/2014-11-01/service-2.json). Timestamps are
// epoch seconds (awsjson.Time); blobs are []byte (base64 on the wire).

// Tag is a key tag.
type Tag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// KeyMetadata describes a key.
type KeyMetadata struct {
	AWSAccountID                string        `json:"AWSAccountId"`
	KeyID                       string        `json:"KeyId"`
	Arn                         string        `json:"Arn"`
	CreationDate                *awsjson.Time `json:"CreationDate,omitempty"`
	Enabled                     bool          `json:"Enabled"`
	Description                 string        `json:"Description"`
	KeyUsage                    string        `json:"KeyUsage"`
	KeyState                    string        `json:"KeyState"`
	DeletionDate                *awsjson.Time `json:"DeletionDate,omitempty"`
	Origin                      string        `json:"Origin"`
	KeyManager                  string        `json:"KeyManager"`
	CustomerMasterKeySpec       string        `json:"CustomerMasterKeySpec"`
	KeySpec                     string        `json:"KeySpec"`
	EncryptionAlgorithms        []string      `json:"EncryptionAlgorithms"`
	MultiRegion                 bool          `json:"MultiRegion"`
	PendingDeletionWindowInDays *int32        `json:"PendingDeletionWindowInDays,omitempty"`
	CurrentKeyMaterialID        string        `json:"CurrentKeyMaterialId,omitempty"`
}

// CreateKeyInput is the CreateKey request.
type CreateKeyInput struct {
	Policy                         *string
	Description                    string
	KeyUsage                       string
	CustomerMasterKeySpec          string
	KeySpec                        string
	Origin                         string
	CustomKeyStoreID               string `json:"CustomKeyStoreId"`
	BypassPolicyLockoutSafetyCheck bool
	Tags                           []Tag
	MultiRegion                    *bool
	XksKeyID                       string `json:"XksKeyId"`
}

// KeyMetadataOutput is the CreateKey and DescribeKey response.
type KeyMetadataOutput struct {
	KeyMetadata *KeyMetadata `json:"KeyMetadata"`
}

// KeyIDInput is a request naming one key and nothing else.
type KeyIDInput struct {
	KeyID string `json:"KeyId"`
}

// DescribeKeyInput is the DescribeKey request.
type DescribeKeyInput struct {
	KeyID       string   `json:"KeyId"`
	GrantTokens []string `json:"GrantTokens"`
}

// PageInput is the paging of a List request.
type PageInput struct {
	Limit  *int32
	Marker string
}

// PageOutput is the paging of a List response.
type PageOutput struct {
	NextMarker string `json:"NextMarker,omitempty"`
	Truncated  bool   `json:"Truncated"`
}

// KeyListEntry is one key of ListKeys.
type KeyListEntry struct {
	KeyID  string `json:"KeyId"`
	KeyArn string `json:"KeyArn"`
}

// ListKeysOutput is the ListKeys response.
type ListKeysOutput struct {
	Keys []KeyListEntry `json:"Keys"`
	PageOutput
}

// UpdateKeyDescriptionInput is the UpdateKeyDescription request.
type UpdateKeyDescriptionInput struct {
	KeyID       string `json:"KeyId"`
	Description *string
}

// Empty is the response of operations that return nothing.
type Empty struct{}

// AliasInput is the CreateAlias and UpdateAlias request.
type AliasInput struct {
	AliasName   string
	TargetKeyID string `json:"TargetKeyId"`
}

// DeleteAliasInput is the DeleteAlias request.
type DeleteAliasInput struct {
	AliasName string
}

// ListAliasesInput is the ListAliases request.
type ListAliasesInput struct {
	KeyID string `json:"KeyId"`
	PageInput
}

// AliasListEntry is one alias of ListAliases.
type AliasListEntry struct {
	AliasName       string        `json:"AliasName"`
	AliasArn        string        `json:"AliasArn"`
	TargetKeyID     string        `json:"TargetKeyId,omitempty"`
	CreationDate    *awsjson.Time `json:"CreationDate,omitempty"`
	LastUpdatedDate *awsjson.Time `json:"LastUpdatedDate,omitempty"`
}

// ListAliasesOutput is the ListAliases response.
type ListAliasesOutput struct {
	Aliases []AliasListEntry `json:"Aliases"`
	PageOutput
}

// KeyPolicyInput is the GetKeyPolicy request.
type KeyPolicyInput struct {
	KeyID      string `json:"KeyId"`
	PolicyName *string
}

// GetKeyPolicyOutput is the GetKeyPolicy response.
type GetKeyPolicyOutput struct {
	Policy     string `json:"Policy"`
	PolicyName string `json:"PolicyName"`
}

// PutKeyPolicyInput is the PutKeyPolicy request.
type PutKeyPolicyInput struct {
	KeyID                          string `json:"KeyId"`
	PolicyName                     *string
	Policy                         *string
	BypassPolicyLockoutSafetyCheck bool
}

// ListKeyPoliciesInput is the ListKeyPolicies request.
type ListKeyPoliciesInput struct {
	KeyID string `json:"KeyId"`
	PageInput
}

// ListKeyPoliciesOutput is the ListKeyPolicies response.
type ListKeyPoliciesOutput struct {
	PolicyNames []string `json:"PolicyNames"`
	PageOutput
}

// ScheduleKeyDeletionInput is the ScheduleKeyDeletion request.
type ScheduleKeyDeletionInput struct {
	KeyID               string `json:"KeyId"`
	PendingWindowInDays *int32
}

// ScheduleKeyDeletionOutput is the ScheduleKeyDeletion response.
type ScheduleKeyDeletionOutput struct {
	KeyID               string        `json:"KeyId"`
	DeletionDate        *awsjson.Time `json:"DeletionDate"`
	KeyState            string        `json:"KeyState"`
	PendingWindowInDays int32         `json:"PendingWindowInDays"`
}

// KeyIDOutput is a response naming a key by ARN (CancelKeyDeletion, RotateKeyOnDemand).
type KeyIDOutput struct {
	KeyID string `json:"KeyId"`
}

// GenerateDataKeyWithoutPlaintextInput is the GenerateDataKeyWithoutPlaintext request.
type GenerateDataKeyWithoutPlaintextInput struct {
	KeyID             string `json:"KeyId"`
	EncryptionContext map[string]string
	NumberOfBytes     *int32
	KeySpec           string
	GrantTokens       []string
	DryRun            *bool
}

// GenerateDataKeyInput is the GenerateDataKey request.
type GenerateDataKeyInput struct {
	GenerateDataKeyWithoutPlaintextInput
	Recipient *struct{} `json:"Recipient"`
}

// GenerateDataKeyWithoutPlaintextOutput is the GenerateDataKeyWithoutPlaintext response.
type GenerateDataKeyWithoutPlaintextOutput struct {
	CiphertextBlob []byte `json:"CiphertextBlob"`
	KeyID          string `json:"KeyId"`
	KeyMaterialID  string `json:"KeyMaterialId,omitempty"`
}

// GenerateDataKeyOutput is the GenerateDataKey response.
type GenerateDataKeyOutput struct {
	GenerateDataKeyWithoutPlaintextOutput
	Plaintext []byte `json:"Plaintext"`
}

// EncryptInput is the Encrypt request.
type EncryptInput struct {
	KeyID               string `json:"KeyId"`
	Plaintext           []byte
	EncryptionContext   map[string]string
	GrantTokens         []string
	EncryptionAlgorithm string
	DryRun              *bool
}

// EncryptOutput is the Encrypt response.
type EncryptOutput struct {
	CiphertextBlob      []byte `json:"CiphertextBlob"`
	KeyID               string `json:"KeyId"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
}

// DecryptInput is the Decrypt request.
type DecryptInput struct {
	CiphertextBlob      []byte
	EncryptionContext   map[string]string
	GrantTokens         []string
	KeyID               string `json:"KeyId"`
	EncryptionAlgorithm string
	Recipient           *struct{} `json:"Recipient"`
	DryRun              *bool
}

// DecryptOutput is the Decrypt response.
type DecryptOutput struct {
	KeyID               string `json:"KeyId"`
	Plaintext           []byte `json:"Plaintext"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
	KeyMaterialID       string `json:"KeyMaterialId,omitempty"`
}

// ReEncryptInput is the ReEncrypt request.
type ReEncryptInput struct {
	CiphertextBlob                 []byte
	SourceEncryptionContext        map[string]string
	SourceKeyID                    string `json:"SourceKeyId"`
	DestinationKeyID               string `json:"DestinationKeyId"`
	DestinationEncryptionContext   map[string]string
	SourceEncryptionAlgorithm      string
	DestinationEncryptionAlgorithm string
	GrantTokens                    []string
	DryRun                         *bool
}

// ReEncryptOutput is the ReEncrypt response.
type ReEncryptOutput struct {
	CiphertextBlob                 []byte `json:"CiphertextBlob"`
	SourceKeyID                    string `json:"SourceKeyId"`
	KeyID                          string `json:"KeyId"`
	SourceEncryptionAlgorithm      string `json:"SourceEncryptionAlgorithm"`
	DestinationEncryptionAlgorithm string `json:"DestinationEncryptionAlgorithm"`
}

// GenerateRandomInput is the GenerateRandom request.
type GenerateRandomInput struct {
	NumberOfBytes    *int32
	CustomKeyStoreID string    `json:"CustomKeyStoreId"`
	Recipient        *struct{} `json:"Recipient"`
}

// GenerateRandomOutput is the GenerateRandom response.
type GenerateRandomOutput struct {
	Plaintext []byte `json:"Plaintext"`
}

// TagResourceInput is the TagResource request.
type TagResourceInput struct {
	KeyID string `json:"KeyId"`
	Tags  []Tag
}

// UntagResourceInput is the UntagResource request.
type UntagResourceInput struct {
	KeyID   string `json:"KeyId"`
	TagKeys []string
}

// ListResourceTagsInput is the ListResourceTags request.
type ListResourceTagsInput struct {
	KeyID string `json:"KeyId"`
	PageInput
}

// ListResourceTagsOutput is the ListResourceTags response.
type ListResourceTagsOutput struct {
	Tags []Tag `json:"Tags"`
	PageOutput
}

// EnableKeyRotationInput is the EnableKeyRotation request.
type EnableKeyRotationInput struct {
	KeyID                string `json:"KeyId"`
	RotationPeriodInDays *int32
}

// GetKeyRotationStatusOutput is the GetKeyRotationStatus response.
type GetKeyRotationStatusOutput struct {
	KeyRotationEnabled        bool          `json:"KeyRotationEnabled"`
	KeyID                     string        `json:"KeyId"`
	RotationPeriodInDays      *int32        `json:"RotationPeriodInDays,omitempty"`
	NextRotationDate          *awsjson.Time `json:"NextRotationDate,omitempty"`
	OnDemandRotationStartDate *awsjson.Time `json:"OnDemandRotationStartDate,omitempty"`
}

// ListKeyRotationsInput is the ListKeyRotations request.
type ListKeyRotationsInput struct {
	KeyID              string `json:"KeyId"`
	IncludeKeyMaterial string
	PageInput
}

// RotationsListEntry is one rotation of ListKeyRotations.
type RotationsListEntry struct {
	KeyID         string        `json:"KeyId"`
	KeyMaterialID string        `json:"KeyMaterialId,omitempty"`
	RotationDate  *awsjson.Time `json:"RotationDate"`
	RotationType  string        `json:"RotationType"`
}

// ListKeyRotationsOutput is the ListKeyRotations response.
type ListKeyRotationsOutput struct {
	Rotations []RotationsListEntry `json:"Rotations"`
	PageOutput
}

// GrantConstraints limit a grant to requests with an encryption context.
type GrantConstraints struct {
	EncryptionContextSubset map[string]string `json:"EncryptionContextSubset,omitempty"`
	EncryptionContextEquals map[string]string `json:"EncryptionContextEquals,omitempty"`
}

// CreateGrantInput is the CreateGrant request.
type CreateGrantInput struct {
	KeyID             string `json:"KeyId"`
	GranteePrincipal  string
	RetiringPrincipal string
	Operations        []string
	Constraints       *GrantConstraints
	GrantTokens       []string
	Name              string
	DryRun            *bool
}

// CreateGrantOutput is the CreateGrant response.
type CreateGrantOutput struct {
	GrantToken string `json:"GrantToken"`
	GrantID    string `json:"GrantId"`
}

// GrantListEntry is one grant of ListGrants and ListRetirableGrants.
type GrantListEntry struct {
	KeyID             string            `json:"KeyId"`
	GrantID           string            `json:"GrantId"`
	Name              string            `json:"Name,omitempty"`
	CreationDate      *awsjson.Time     `json:"CreationDate"`
	GranteePrincipal  string            `json:"GranteePrincipal"`
	RetiringPrincipal string            `json:"RetiringPrincipal,omitempty"`
	IssuingAccount    string            `json:"IssuingAccount"`
	Operations        []string          `json:"Operations"`
	Constraints       *GrantConstraints `json:"Constraints,omitempty"`
}

// ListGrantsInput is the ListGrants request.
type ListGrantsInput struct {
	KeyID            string `json:"KeyId"`
	GrantID          string `json:"GrantId"`
	GranteePrincipal string
	PageInput
}

// ListGrantsOutput is the ListGrants and ListRetirableGrants response.
type ListGrantsOutput struct {
	Grants []GrantListEntry `json:"Grants"`
	PageOutput
}

// RetireGrantInput is the RetireGrant request.
type RetireGrantInput struct {
	GrantToken string
	KeyID      string `json:"KeyId"`
	GrantID    string `json:"GrantId"`
	DryRun     *bool
}

// RevokeGrantInput is the RevokeGrant request.
type RevokeGrantInput struct {
	KeyID   string `json:"KeyId"`
	GrantID string `json:"GrantId"`
	DryRun  *bool
}

// ListRetirableGrantsInput is the ListRetirableGrants request.
type ListRetirableGrantsInput struct {
	RetiringPrincipal string
	PageInput
}
