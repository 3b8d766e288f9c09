-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-idc-user-create-iam-role.sql
-- title: iam-idc-user-create-iam-role
-- kind: ok
-- columns: ["recipientAccountId", "awsRegion", "eventID", "eventTime", "errorCode", "errorMessage"]
-- order: any
-- expect: [["111122223333", "us-east-1", "c96b82a1-ed0c-412d-89cd-b7e8288b4f4a", "2023-01-02 10:00:00.000", null, null]]

SELECT recipientAccountId, awsRegion, eventID, eventTime, errorCode, errorMessage
FROM $EDS_ID
WHERE userIdentity.principalId LIKE '%alice@example.com'
AND eventName='CreateRole'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
