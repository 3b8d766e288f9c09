package policy

import "strings"

// s3Actions are the actions of Amazon S3 (service prefix s3), as the Service Authorization
// Reference lists them: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
var s3Actions = strings.Fields(`
AbortMultipartUpload AssociateAccessGrantsIdentityCenter BypassGovernanceRetention
CreateAccessGrant CreateAccessGrantsInstance CreateAccessGrantsLocation CreateAccessPoint
CreateAccessPointForObjectLambda CreateBucket CreateBucketMetadataTableConfiguration CreateJob
CreateMultiRegionAccessPoint CreateStorageLensGroup
DeleteAccessGrant DeleteAccessGrantsInstance DeleteAccessGrantsInstanceResourcePolicy
DeleteAccessGrantsLocation DeleteAccessPoint DeleteAccessPointForObjectLambda DeleteAccessPointPolicy
DeleteAccessPointPolicyForObjectLambda DeleteBucket DeleteBucketMetadataTableConfiguration
DeleteBucketPolicy DeleteBucketWebsite DeleteJobTagging DeleteMultiRegionAccessPoint DeleteObject
DeleteObjectTagging DeleteObjectVersion DeleteObjectVersionTagging DeleteStorageLensConfiguration
DeleteStorageLensConfigurationTagging DeleteStorageLensGroup DescribeJob
DescribeMultiRegionAccessPointOperation DissociateAccessGrantsIdentityCenter
GetAccelerateConfiguration GetAccessGrant GetAccessGrantsInstance GetAccessGrantsInstanceForPrefix
GetAccessGrantsInstanceResourcePolicy GetAccessGrantsLocation GetAccessPoint
GetAccessPointConfigurationForObjectLambda GetAccessPointForObjectLambda GetAccessPointPolicy
GetAccessPointPolicyForObjectLambda GetAccessPointPolicyStatus GetAccessPointPolicyStatusForObjectLambda
GetAccountPublicAccessBlock GetAnalyticsConfiguration GetBucketAcl GetBucketCORS GetBucketLocation
GetBucketLogging GetBucketMetadataTableConfiguration GetBucketNotification
GetBucketObjectLockConfiguration GetBucketOwnershipControls GetBucketPolicy GetBucketPolicyStatus
GetBucketPublicAccessBlock GetBucketRequestPayment GetBucketTagging GetBucketVersioning
GetBucketWebsite GetDataAccess GetEncryptionConfiguration GetIntelligentTieringConfiguration
GetInventoryConfiguration GetJobTagging GetLifecycleConfiguration GetMetricsConfiguration
GetMultiRegionAccessPoint GetMultiRegionAccessPointPolicy GetMultiRegionAccessPointPolicyStatus
GetMultiRegionAccessPointRoutes GetObject GetObjectAcl GetObjectAttributes GetObjectLegalHold
GetObjectRetention GetObjectTagging GetObjectTorrent GetObjectVersion GetObjectVersionAcl
GetObjectVersionAttributes GetObjectVersionForReplication GetObjectVersionTagging
GetObjectVersionTorrent GetReplicationConfiguration GetStorageLensConfiguration
GetStorageLensConfigurationTagging GetStorageLensDashboard GetStorageLensGroup InitiateReplication
ListAccessGrants ListAccessGrantsInstances ListAccessGrantsLocations ListAccessPoints
ListAccessPointsForObjectLambda ListAllMyBuckets ListBucket ListBucketMultipartUploads
ListBucketVersions ListCallerAccessGrants ListJobs ListMultiRegionAccessPoints
ListMultipartUploadParts ListStorageLensConfigurations ListStorageLensGroups ListTagsForResource
ObjectOwnerOverrideToBucketOwner PauseReplication PutAccelerateConfiguration
PutAccessGrantsInstanceResourcePolicy PutAccessPointConfigurationForObjectLambda PutAccessPointPolicy
PutAccessPointPolicyForObjectLambda PutAccessPointPublicAccessBlock PutAccountPublicAccessBlock
PutAnalyticsConfiguration PutBucketAcl PutBucketCORS PutBucketLogging PutBucketNotification
PutBucketObjectLockConfiguration PutBucketOwnershipControls PutBucketPolicy PutBucketPublicAccessBlock
PutBucketRequestPayment PutBucketTagging PutBucketVersioning PutBucketWebsite
PutEncryptionConfiguration PutIntelligentTieringConfiguration PutInventoryConfiguration
PutJobTagging PutLifecycleConfiguration PutMetricsConfiguration PutMultiRegionAccessPointPolicy
PutObject PutObjectAcl PutObjectLegalHold PutObjectRetention PutObjectTagging PutObjectVersionAcl
PutObjectVersionTagging PutReplicationConfiguration PutStorageLensConfiguration
PutStorageLensConfigurationTagging ReplicateDelete ReplicateObject ReplicateTags RestoreObject
SubmitMultiRegionAccessPointRoutes TagResource UntagResource UpdateAccessGrantsLocation
UpdateJobPriority UpdateJobStatus UpdateStorageLensGroup`)

// CheckS3Actions validates the actions of a bucket policy as S3 does: each Action or NotAction
// is "*" or an s3: action that exists (a pattern must match at least one). S3 refuses any other
// (another service's action, a misspelt one) with MalformedPolicy "Policy has invalid action".
// The error locates the statement and element; its Reason is S3's message.
func CheckS3Actions(p *Policy) error {
	for _, st := range p.Statements {
		for _, a := range st.Action {
			if !isS3Action(a) {
				element := "Action"
				if st.NotAction {
					element = "NotAction"
				}
				return &Error{Statement: st.Label(), Element: element, Reason: "Policy has invalid action"}
			}
		}
	}
	return nil
}

// isS3Action reports whether an action pattern names at least one S3 action.
func isS3Action(a string) bool {
	if a == "*" {
		return true
	}
	service, name, ok := strings.Cut(a, ":")
	if !ok || !strings.EqualFold(service, "s3") {
		return false
	}
	for _, known := range s3Actions {
		if glob(name, known, true) {
			return true
		}
	}
	return false
}
