-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-idc-user-mutable-actions.sql
-- title: iam-idc-user-mutable-actions
-- kind: ok
-- columns: ["eventSource", "eventName", "eventTime", "eventID", "errorCode"]
-- order: any
-- expect: [["iam.amazonaws.com", "CreateRole", "2023-01-02 10:00:00.000", "c96b82a1-ed0c-412d-89cd-b7e8288b4f4a", null], ["iam.amazonaws.com", "CreateUser", "2023-01-02 10:05:00.000", "a1bb6671-a1a8-4acf-9c92-4babc11b9759", null], ["iam.amazonaws.com", "CreateAccessKey", "2023-01-02 10:06:00.000", "38b744b9-7875-499f-a8b5-25d39136250b", "AccessDenied"], ["iam.amazonaws.com", "PutRolePolicy", "2023-01-03 09:00:00.000", "00505dee-4133-4080-99b2-73856429ffd4", null]]

SELECT eventSource, eventName, eventTime, eventID, errorCode
FROM $EDS_ID
WHERE userIdentity.principalId LIKE '%alice@example.com'
AND readOnly = false
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
