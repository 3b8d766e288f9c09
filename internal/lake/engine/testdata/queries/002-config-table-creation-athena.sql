-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/ConfigTableCreation.sql
-- title: ConfigTableCreation
-- kind: malformed
-- note: Athena DDL (CREATE EXTERNAL TABLE), not a SELECT

CREATE EXTERNAL TABLE awsconfig (
	fileversion string,
	configSnapshotId string,
	configurationitems ARRAY < STRUCT < configurationItemVersion: STRING,
	configurationItemCaptureTime: STRING,
	configurationStateId: BIGINT,
	awsAccountId: STRING,
	configurationItemStatus: STRING,
	resourceType: STRING,
	resourceId: STRING,
	resourceName: STRING,
	ARN: STRING,
	awsRegion: STRING,
	availabilityZone: STRING,
	configurationStateMd5Hash: STRING,
	resourceCreationTime: STRING > >
)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
LOCATION 's3://config-bucket-PATH';
