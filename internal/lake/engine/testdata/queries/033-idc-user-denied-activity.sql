-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-idc-user-denied-activity.sql
-- title: iam-idc-user-denied-activity
-- kind: ok
-- columns: ["recipientAccountId", "awsRegion", "eventSource", "eventName", "readOnly", "errorCode", "errorMessage", "eventTime", "eventID"]
-- order: any
-- expect: [["111122223333", "us-east-1", "iam.amazonaws.com", "CreateAccessKey", "false", "AccessDenied", "User: arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com is not authorized to perform: iam:CreateAccessKey on resource: user svc-user", "2023-01-02 10:06:00.000", "38b744b9-7875-499f-a8b5-25d39136250b"]]

SELECT recipientAccountId, awsRegion, eventSource, eventName, readOnly, errorCode, errorMessage, eventTime, eventID
FROM $EDS_ID
WHERE userIdentity.principalId LIKE '%alice@example.com'
AND (errorCode = 'AccessDenied' OR errorCode LIKE '%Unauthorized%')
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
