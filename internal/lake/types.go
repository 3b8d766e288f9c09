package lake

import (
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
)

// The error codes of the event data store operations (the Errors of each operation in
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/).
const (
	alreadyExists          awserr.Code = "EventDataStoreAlreadyExistsException"
	maxLimitExceeded       awserr.Code = "EventDataStoreMaxLimitExceededException"
	arnInvalid             awserr.Code = "EventDataStoreARNInvalidException"
	notFound               awserr.Code = "EventDataStoreNotFoundException"
	inactive               awserr.Code = "InactiveEventDataStoreException"
	terminationProtected   awserr.Code = "EventDataStoreTerminationProtectedException"
	invalidStatus          awserr.Code = "InvalidEventDataStoreStatusException"
	invalidEventSelectors  awserr.Code = "InvalidEventSelectorsException"
	invalidParameter       awserr.Code = "InvalidParameterException"
	invalidTagParameter    awserr.Code = "InvalidTagParameterException"
	invalidMaxResults      awserr.Code = "InvalidMaxResultsException"
	invalidNextToken       awserr.Code = "InvalidNextTokenException"
	operationNotPermitted  awserr.Code = "OperationNotPermittedException"
	organizationsNotInUse  awserr.Code = "OrganizationsNotInUseException"
	insufficientEncryption awserr.Code = "InsufficientEncryptionPolicyException"
	invalidKMSKeyID        awserr.Code = "InvalidKmsKeyIdException"
	kmsKeyNotFound         awserr.Code = "KmsKeyNotFoundException"
	kmsException           awserr.Code = "KmsException"
)

// The statuses of an event data store (EventDataStoreStatus in the API reference).
const (
	StatusCreated           = "CREATED"
	StatusEnabled           = "ENABLED"
	StatusPendingDeletion   = "PENDING_DELETION"
	StatusStoppedIngestion  = "STOPPED_INGESTION"
	statusStartingIngestion = "STARTING_INGESTION"
	statusStoppingIngestion = "STOPPING_INGESTION"
)

// The billing modes (BillingMode in the API reference).
const (
	Extendable = "EXTENDABLE_RETENTION_PRICING"
	Fixed      = "FIXED_RETENTION_PRICING"
)

// Tag is a CloudTrail resource tag.
type Tag = cloudtrail.Tag

// AdvancedEventSelector selects the events a store keeps, as a trail's advanced selectors do.
type AdvancedEventSelector = cloudtrail.AdvancedEventSelector

// AdvancedFieldSelector is a condition on one field of an event.
type AdvancedFieldSelector = cloudtrail.AdvancedFieldSelector

// CreateEventDataStoreInput is CreateEventDataStore's request.
type CreateEventDataStoreInput struct {
	Name                         string                  `json:"Name"`
	AdvancedEventSelectors       []AdvancedEventSelector `json:"AdvancedEventSelectors"`
	MultiRegionEnabled           *bool                   `json:"MultiRegionEnabled"`
	OrganizationEnabled          *bool                   `json:"OrganizationEnabled"`
	RetentionPeriod              *int                    `json:"RetentionPeriod"`
	TerminationProtectionEnabled *bool                   `json:"TerminationProtectionEnabled"`
	TagsList                     []Tag                   `json:"TagsList"`
	KmsKeyID                     string                  `json:"KmsKeyId"`
	StartIngestion               *bool                   `json:"StartIngestion"`
	BillingMode                  string                  `json:"BillingMode"`
}

// UpdateEventDataStoreInput is UpdateEventDataStore's request: a nil member is left as it is.
type UpdateEventDataStoreInput struct {
	EventDataStore               string                  `json:"EventDataStore"`
	Name                         *string                 `json:"Name"`
	AdvancedEventSelectors       []AdvancedEventSelector `json:"AdvancedEventSelectors"`
	MultiRegionEnabled           *bool                   `json:"MultiRegionEnabled"`
	OrganizationEnabled          *bool                   `json:"OrganizationEnabled"`
	RetentionPeriod              *int                    `json:"RetentionPeriod"`
	TerminationProtectionEnabled *bool                   `json:"TerminationProtectionEnabled"`
	KmsKeyID                     *string                 `json:"KmsKeyId"`
	BillingMode                  *string                 `json:"BillingMode"`
}

// StoreInput is the request of the operations that name one event data store (by ARN or by
// the ID at the end of its ARN).
type StoreInput struct {
	EventDataStore string `json:"EventDataStore"`
}

// StoreOutput is an event data store as CreateEventDataStore, GetEventDataStore,
// UpdateEventDataStore and RestoreEventDataStore return it.
type StoreOutput struct {
	EventDataStoreArn            string                  `json:"EventDataStoreArn"`
	Name                         string                  `json:"Name"`
	Status                       string                  `json:"Status"`
	AdvancedEventSelectors       []AdvancedEventSelector `json:"AdvancedEventSelectors"`
	MultiRegionEnabled           bool                    `json:"MultiRegionEnabled"`
	OrganizationEnabled          bool                    `json:"OrganizationEnabled"`
	RetentionPeriod              int                     `json:"RetentionPeriod"`
	TerminationProtectionEnabled bool                    `json:"TerminationProtectionEnabled"`
	CreatedTimestamp             *awsjson.Time           `json:"CreatedTimestamp,omitempty"`
	UpdatedTimestamp             *awsjson.Time           `json:"UpdatedTimestamp,omitempty"`
	KmsKeyID                     string                  `json:"KmsKeyId,omitempty"`
	BillingMode                  string                  `json:"BillingMode"`
}

// CreateEventDataStoreOutput is CreateEventDataStore's response.
type CreateEventDataStoreOutput struct {
	StoreOutput
	TagsList []Tag `json:"TagsList"`
}

// GetEventDataStoreOutput is GetEventDataStore's response.
type GetEventDataStoreOutput struct {
	StoreOutput
	FederationStatus string         `json:"FederationStatus"`
	PartitionKeys    []PartitionKey `json:"PartitionKeys,omitempty"`
}

// PartitionKey is a partition key of a store.
type PartitionKey struct {
	Name string `json:"Name"`
	Type string `json:"Type"`
}

// UpdateEventDataStoreOutput is UpdateEventDataStore's response.
type UpdateEventDataStoreOutput struct {
	StoreOutput
	FederationStatus string `json:"FederationStatus"`
}

// ListEventDataStoresInput is ListEventDataStores' request.
type ListEventDataStoresInput struct {
	NextToken  string `json:"NextToken"`
	MaxResults *int   `json:"MaxResults"`
}

// StoreSummary is an entry of ListEventDataStores.
type StoreSummary struct {
	EventDataStoreArn            string                  `json:"EventDataStoreArn"`
	Name                         string                  `json:"Name"`
	TerminationProtectionEnabled bool                    `json:"TerminationProtectionEnabled"`
	Status                       string                  `json:"Status"`
	AdvancedEventSelectors       []AdvancedEventSelector `json:"AdvancedEventSelectors"`
	MultiRegionEnabled           bool                    `json:"MultiRegionEnabled"`
	OrganizationEnabled          bool                    `json:"OrganizationEnabled"`
	RetentionPeriod              int                     `json:"RetentionPeriod"`
	CreatedTimestamp             *awsjson.Time           `json:"CreatedTimestamp,omitempty"`
	UpdatedTimestamp             *awsjson.Time           `json:"UpdatedTimestamp,omitempty"`
}

// ListEventDataStoresOutput is ListEventDataStores' response.
type ListEventDataStoresOutput struct {
	EventDataStores []StoreSummary `json:"EventDataStores"`
	NextToken       string         `json:"NextToken,omitempty"`
}

// Empty is the response of the operations that return nothing.
type Empty struct{}
