-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/s3-actions-by-iam-access-key.sql
-- title: s3-actions-by-iam-access-key
-- kind: ok
-- columns: ["BucketName", "ObjectName", "eventName"]
-- order: any
-- expect: [["demo-bucket", "reports/q1.csv", "GetObject"], ["demo-bucket", "reports/q2.csv", "PutObject"]]

SELECT element_at(requestParameters, 'bucketName') as BucketName, element_at(requestParameters, 'key') as ObjectName, eventName 
FROM $EDS_ID
WHERE (eventName = 'CopyObject' OR eventName = 'DeleteObject' OR eventName = 'DeleteObjects' OR eventName = 'GetObject' OR eventName = 'HeadObject' OR eventName = 'PutObject') 
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
AND userIdentity.accessKeyId = 'AKIAIOSFODNN7EXAMPLE'
