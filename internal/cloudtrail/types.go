package cloudtrail

import (
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
)

// CloudTrail's error codes (the Errors of each operation in https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/).
const (
	trailAlreadyExists          awserr.Code = "TrailAlreadyExistsException"
	trailNotFound               awserr.Code = "TrailNotFoundException"
	invalidTrailName            awserr.Code = "InvalidTrailNameException"
	trailNotProvided            awserr.Code = "TrailNotProvidedException"
	arnInvalid                  awserr.Code = "CloudTrailARNInvalidException"
	invalidHomeRegion           awserr.Code = "InvalidHomeRegionException"
	bucketDoesNotExist          awserr.Code = "S3BucketDoesNotExistException"
	invalidBucketName           awserr.Code = "InvalidS3BucketNameException"
	invalidPrefix               awserr.Code = "InvalidS3PrefixException"
	insufficientBucketPolicy    awserr.Code = "InsufficientS3BucketPolicyException"
	insufficientEncryptionPol   awserr.Code = "InsufficientEncryptionPolicyException"
	invalidKMSKeyID             awserr.Code = "InvalidKmsKeyIdException"
	kmsKeyNotFound              awserr.Code = "KmsKeyNotFoundException"
	kmsException                awserr.Code = "KmsException"
	invalidParameter            awserr.Code = "InvalidParameterException"
	invalidParameterCombination awserr.Code = "InvalidParameterCombinationException"
	tagsLimitExceeded           awserr.Code = "TagsLimitExceededException"
	invalidTagParameter         awserr.Code = "InvalidTagParameterException"
	resourceNotFound            awserr.Code = "ResourceNotFoundException"
	invalidNextToken            awserr.Code = "InvalidNextTokenException"
	maxTrailsExceeded           awserr.Code = "MaximumNumberOfTrailsExceededException"
)

// Tag is a CloudTrail resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value,omitempty"`
}

// CreateTrailInput is CreateTrail's request.
type CreateTrailInput struct {
	Name                       string `json:"Name"`
	S3BucketName               string `json:"S3BucketName"`
	S3KeyPrefix                string `json:"S3KeyPrefix"`
	SnsTopicName               string `json:"SnsTopicName"`
	IncludeGlobalServiceEvents *bool  `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         *bool  `json:"IsMultiRegionTrail"`
	EnableLogFileValidation    *bool  `json:"EnableLogFileValidation"`
	CloudWatchLogsLogGroupArn  string `json:"CloudWatchLogsLogGroupArn"`
	CloudWatchLogsRoleArn      string `json:"CloudWatchLogsRoleArn"`
	KmsKeyID                   string `json:"KmsKeyId"`
	IsOrganizationTrail        *bool  `json:"IsOrganizationTrail"`
	TagsList                   []Tag  `json:"TagsList"`
}

// UpdateTrailInput is UpdateTrail's request: Name is the trail's name or ARN; a nil field is
// left as it is; KmsKeyID "" (present but empty) removes encryption.
type UpdateTrailInput struct {
	Name                       string  `json:"Name"`
	S3BucketName               *string `json:"S3BucketName"`
	S3KeyPrefix                *string `json:"S3KeyPrefix"`
	SnsTopicName               *string `json:"SnsTopicName"`
	IncludeGlobalServiceEvents *bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         *bool   `json:"IsMultiRegionTrail"`
	EnableLogFileValidation    *bool   `json:"EnableLogFileValidation"`
	CloudWatchLogsLogGroupArn  *string `json:"CloudWatchLogsLogGroupArn"`
	CloudWatchLogsRoleArn      *string `json:"CloudWatchLogsRoleArn"`
	KmsKeyID                   *string `json:"KmsKeyId"`
	IsOrganizationTrail        *bool   `json:"IsOrganizationTrail"`
}

// TrailOutput is CreateTrail's and UpdateTrail's response.
type TrailOutput struct {
	Name                       string `json:"Name"`
	S3BucketName               string `json:"S3BucketName"`
	S3KeyPrefix                string `json:"S3KeyPrefix,omitempty"`
	SnsTopicName               string `json:"SnsTopicName,omitempty"`
	IncludeGlobalServiceEvents bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         bool   `json:"IsMultiRegionTrail"`
	TrailARN                   string `json:"TrailARN"`
	LogFileValidationEnabled   bool   `json:"LogFileValidationEnabled"`
	KmsKeyID                   string `json:"KmsKeyId,omitempty"`
	IsOrganizationTrail        bool   `json:"IsOrganizationTrail"`
}

// Trail is the Trail shape of GetTrail and DescribeTrails.
type Trail struct {
	Name                       string `json:"Name"`
	S3BucketName               string `json:"S3BucketName"`
	S3KeyPrefix                string `json:"S3KeyPrefix,omitempty"`
	SnsTopicName               string `json:"SnsTopicName,omitempty"`
	IncludeGlobalServiceEvents bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         bool   `json:"IsMultiRegionTrail"`
	HomeRegion                 string `json:"HomeRegion"`
	TrailARN                   string `json:"TrailARN"`
	LogFileValidationEnabled   bool   `json:"LogFileValidationEnabled"`
	KmsKeyID                   string `json:"KmsKeyId,omitempty"`
	HasCustomEventSelectors    bool   `json:"HasCustomEventSelectors"`
	HasInsightSelectors        bool   `json:"HasInsightSelectors"`
	IsOrganizationTrail        bool   `json:"IsOrganizationTrail"`
}

// NameInput is the request of the operations that name one trail (by name or ARN).
type NameInput struct {
	Name string `json:"Name"`
}

// GetTrailOutput is GetTrail's response.
type GetTrailOutput struct {
	Trail *Trail `json:"Trail"`
}

// DescribeTrailsInput is DescribeTrails' request (its members are lower-case on the wire).
type DescribeTrailsInput struct {
	TrailNameList       []string `json:"trailNameList"`
	IncludeShadowTrails *bool    `json:"includeShadowTrails"`
}

// DescribeTrailsOutput is DescribeTrails' response.
type DescribeTrailsOutput struct {
	TrailList []Trail `json:"trailList"`
}

// ListTrailsInput is ListTrails' request.
type ListTrailsInput struct {
	NextToken string `json:"NextToken"`
}

// TrailInfo is an entry of ListTrails.
type TrailInfo struct {
	TrailARN   string `json:"TrailARN"`
	Name       string `json:"Name"`
	HomeRegion string `json:"HomeRegion"`
}

// ListTrailsOutput is ListTrails' response.
type ListTrailsOutput struct {
	Trails    []TrailInfo `json:"Trails"`
	NextToken string      `json:"NextToken,omitempty"`
}

// GetTrailStatusOutput is GetTrailStatus' response: real times, absent when the event has not
// happened.
type GetTrailStatusOutput struct {
	IsLogging                 bool          `json:"IsLogging"`
	LatestDeliveryError       string        `json:"LatestDeliveryError,omitempty"`
	LatestDeliveryTime        *awsjson.Time `json:"LatestDeliveryTime,omitempty"`
	StartLoggingTime          *awsjson.Time `json:"StartLoggingTime,omitempty"`
	StopLoggingTime           *awsjson.Time `json:"StopLoggingTime,omitempty"`
	LatestDigestDeliveryTime  *awsjson.Time `json:"LatestDigestDeliveryTime,omitempty"`
	LatestDigestDeliveryError string        `json:"LatestDigestDeliveryError,omitempty"`
}

// Empty is the response of operations that return nothing.
type Empty struct{}
