-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-idc-user-create-iam-user.sql
-- title: iam-idc-user-create-iam-user
-- kind: ok
-- note: a nested responseElements value is the JSON text of the record's value
-- columns: ["recipientAccountId", "awsRegion", "eventID", "eventTime", "userInfo"]
-- order: any
-- expect: [["111122223333", "us-east-1", "a1bb6671-a1a8-4acf-9c92-4babc11b9759", "2023-01-02 10:05:00.000", "{\"arn\":\"arn:aws:iam::111122223333:user/svc-user\",\"path\":\"/\",\"userId\":\"AIDAEXAMPLESVCUSER01\",\"userName\":\"svc-user\"}"]]

SELECT recipientAccountId, awsRegion, eventID, eventTime, element_at(responseElements, 'user') as userInfo
FROM $EDS_ID
WHERE userIdentity.principalId LIKE '%alice@example.com'
AND eventName='CreateUser'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
