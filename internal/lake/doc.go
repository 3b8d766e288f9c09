// Package lake is CloudTrail Lake's control plane: event data stores, their lifecycle (created,
// ingestion started and stopped, deleted into PENDING_DELETION, restored, purged seven days
// later) and the rules of their KMS keys, checked through keytrail's own KMS with the real key
// and identity policies deciding, as the caller and as cloudtrail.amazonaws.com.
//
// Its stores ingest the events CloudTrail records (the event journal) that their account, Regions
// and advanced event selectors take, exactly once and in order, encrypted at rest under data keys
// of the store's KMS key (made as cloudtrail.amazonaws.com) or of keytrail's barrier; Events reads
// them back, decrypting as the caller.
//
// Its queries (StartQuery, DescribeQuery, GetQueryResults, ListQueries, CancelQuery) run
// CloudTrail Lake SQL on the engine of package lake/engine, in the background, over the stores'
// events loaded into it as CloudTrail (at a store's first query, then by ingestion), once the
// caller may query each store and use its KMS key.
//
// Its imports copy a trail's delivered log files into a store, read through S3 and KMS as the
// import role CloudTrail assumes, without duplicating what the store ingested.
//
// Its operations join CloudTrail's JSON table (both target prefixes); their tags are kept here
// and served through CloudTrail's AddTags, RemoveTags and ListTags.
//
// AWS pages followed:
//   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateEventDataStore.html
//     (and the UpdateEventDataStore, GetEventDataStore, ListEventDataStores,
//     DeleteEventDataStore, RestoreEventDataStore, StartEventDataStoreIngestion and
//     StopEventDataStoreIngestion pages of the same reference)
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
//     (the key policy an event data store needs; aws:SourceArn and aws:SourceAccount unsupported)
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail-update-trail.html
//     (a key added to a store that has none; same Region; no key of another account; a disabled
//     key or one pending deletion refused)
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-event-data-store-cloudtrail.html
//     (defaults: all management events, multi-Region, termination protection on)
//   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartQuery.html
//     (InsufficientEncryptionPolicyException when the key policy does not let the caller decrypt)
//   - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeQuery.html
//     (and the GetQueryResults, ListQueries and CancelQuery pages: statuses, statistics, paging,
//     ten concurrent queries)
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-queries-cli.html
//     (queries time out after one hour)
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html
//     (10 event data stores per Region, in any lifecycle stage)
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-copy-trail-to-lake-eds.html
//     and https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartImport.html
//     (imports: a trail's log files copied as the import role; GetImport, ListImports,
//     StopImport and ListImportFailures of the same reference)
package lake
