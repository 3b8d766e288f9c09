-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-role-assumed-by-iam-access-key.sql
-- title: iam-role-assumed-by-iam-access-key
-- kind: ok
-- note: selects the requestParameters and responseElements maps, whose text form is not verified against AWS
-- columns: ["requestParameters", "responseElements"]
-- expect: unverified
-- rows: 1

SELECT requestParameters,responseElements
FROM $EDS_ID
WHERE eventName = 'AssumeRole'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
AND userIdentity.accessKeyId = 'AKIAIOSFODNN7EXAMPLE';
