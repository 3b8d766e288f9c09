-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-idc-user-modify-iam-policy.sql
-- title: iam-idc-user-modify-iam-policy
-- kind: ok
-- columns: ["recipientAccountId", "eventID", "eventTime", "roleName", "policyDocument"]
-- order: any
-- expect: [["111122223333", "00505dee-4133-4080-99b2-73856429ffd4", "2023-01-03 09:00:00.000", "app-role", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"]]

SELECT recipientAccountId, eventID, eventTime, element_at(requestParameters, 'roleName') as roleName, element_at(requestParameters, 'policyDocument') as policyDocument 
FROM $EDS_ID
WHERE userIdentity.principalId LIKE '%alice@example.com'
AND eventName='PutRolePolicy'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
