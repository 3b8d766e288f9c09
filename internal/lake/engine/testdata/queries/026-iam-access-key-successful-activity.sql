-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-access-key-success-activity.sql
-- title: iam-access-key-success-activity
-- kind: ok
-- note: all counts tie, so the order is not checked
-- columns: ["NumberEvents", "eventSource", "eventName"]
-- order: any
-- expect: [["1", "ec2.amazonaws.com", "RunInstances"], ["1", "s3.amazonaws.com", "GetObject"], ["1", "s3.amazonaws.com", "PutObject"], ["1", "sts.amazonaws.com", "AssumeRole"]]

SELECT count (*) as NumberEvents, eventSource, eventName
FROM $EDS_ID
WHERE eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
AND userIdentity.accessKeyId = 'AKIAIOSFODNN7EXAMPLE'
AND errorcode IS NULL
GROUP by eventSource, eventName
order by NumberEvents desc;
