-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-idc-user-create-iam-user-acces-keys.sql
-- title: iam-idc-user-create-iam-user-acces-keys
-- kind: ok
-- columns: ["recipientAccountId", "awsRegion", "eventID", "eventTime", "errorCode", "errorMessage"]
-- order: any
-- expect: [["111122223333", "us-east-1", "38b744b9-7875-499f-a8b5-25d39136250b", "2023-01-02 10:06:00.000", "AccessDenied", "User: arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com is not authorized to perform: iam:CreateAccessKey on resource: user svc-user"]]

SELECT recipientAccountId, awsRegion, eventID, eventTime, errorCode, errorMessage
FROM $EDS_ID
WHERE userIdentity.principalId LIKE '%alice@example.com'
AND eventName='CreateAccessKey'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
