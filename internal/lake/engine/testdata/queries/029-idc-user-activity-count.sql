-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-idc-user-count-and-group-activity.sql
-- title: iam-idc-user-count-and-group-activity
-- kind: ok
-- note: all counts tie, so the order is not checked
-- columns: ["eventSource", "eventName", "apiCount"]
-- order: any
-- expect: [["iam.amazonaws.com", "CreateAccessKey", "1"], ["iam.amazonaws.com", "CreateRole", "1"], ["iam.amazonaws.com", "CreateUser", "1"], ["iam.amazonaws.com", "PutRolePolicy", "1"], ["s3.amazonaws.com", "ListBuckets", "1"]]

SELECT eventSource, eventName, COUNT(*) AS apiCount 
FROM $EDS_ID
WHERE userIdentity.principalId LIKE '%alice@example.com'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
GROUP BY eventSource, eventName 
ORDER BY apiCount DESC
