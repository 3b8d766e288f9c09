-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/top-iam-actions-by-principal.sql
-- title: top-iam-actions-by-principal
-- kind: ok
-- columns: ["apiCount", "eventName", "recipientAccountId", "principalid"]
-- order: any
-- expect: [["2", "AddUserToGroup", "111122223333", "111122223333"], ["1", "AttachRolePolicy", "111122223333", "111122223333"], ["1", "CreateAccessKey", "111122223333", "AROAEXAMPLEIDC000001:alice@example.com"], ["1", "CreatePolicy", "111122223333", "111122223333"], ["1", "CreatePolicy", "111122223333", "AROAEXAMPLECONSOLE01:Alice"], ["1", "CreateRole", "111122223333", "AROAEXAMPLEIDC000001:alice@example.com"], ["1", "CreateUser", "111122223333", "AROAEXAMPLEIDC000001:alice@example.com"], ["1", "DeleteRole", "111122223333", "AIDAEXAMPLECAROL0001"], ["1", "DetachRolePolicy", "111122223333", "111122223333"], ["1", "GetRole", "111122223333", "111122223333"], ["1", "PutRolePolicy", "111122223333", "AROAEXAMPLEIDC000001:alice@example.com"]]

SELECT
	COUNT(*) AS apiCount, eventName, recipientAccountId, userIdentity.principalid
FROM
	$EDS_ID 
WHERE
	userIdentity.principalid IS NOT NULL AND eventTime >= '2022-01-08 00:00:00'
    AND
	    eventSource='iam.amazonaws.com'
GROUP BY
	eventName, recipientAccountId, userIdentity.principalid
ORDER BY
	apiCount DESC
