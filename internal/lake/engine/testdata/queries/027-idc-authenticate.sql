-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-idc-authenticate-api.sql
-- title: iam-idc-authenticate-api
-- kind: malformed
-- note: FROM FROM

SELECT userIdentity.username, eventTime, recipientAccountId, awsRegion, sourceIPAddress, eventID
FROM FROM $EDS_ID
WHERE eventSource = 'sso.amazonaws.com'
AND eventName = 'Authenticate'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
