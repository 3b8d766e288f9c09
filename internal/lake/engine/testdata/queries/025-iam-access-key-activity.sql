-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-access-key-activity.sql
-- title: iam-access-key-activity
-- kind: ok
-- columns: ["eventSource", "eventName", "sourceIPAddress", "eventTime", "errorCode"]
-- expect: [["ec2.amazonaws.com", "RunInstances", "192.0.2.76", "2023-01-05 07:00:00.000", null], ["sts.amazonaws.com", "AssumeRole", "192.0.2.76", "2023-01-05 07:30:00.000", null], ["s3.amazonaws.com", "GetObject", "192.0.2.76", "2023-01-05 08:00:00.000", null], ["s3.amazonaws.com", "PutObject", "192.0.2.10", "2023-01-06 08:00:00.000", null], ["kms.amazonaws.com", "Decrypt", "192.0.2.10", "2023-01-06 09:00:00.000", "AccessDeniedException"]]

SELECT eventSource,eventName,sourceIPAddress,eventTime,errorCode
FROM $EDS_ID
WHERE userIdentity.accessKeyId = 'AKIAIOSFODNN7EXAMPLE'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
order by eventTime;
