-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-idc-federate-api-by-idc-user.sql
-- title: iam-idc-federate-api-by-idc-user
-- kind: ok
-- columns: ["AccountID", "SSORole", "eventID", "eventTime"]
-- order: any
-- expect: [["111122223333", "AdministratorAccess", "cc2eec3a-36d9-423d-901d-3d0d9b6052a1", "2023-01-04 08:01:00.000"]]

SELECT element_at(serviceEventDetails, 'account_id') as AccountID, element_at(serviceEventDetails, 'role_name') as SSORole, eventID, eventTime
FROM $EDS_ID
WHERE eventSource = 'sso.amazonaws.com'
AND eventName = 'Federate'
AND userIdentity.username = 'alice@example.com'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
