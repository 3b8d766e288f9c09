-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/cross-account-access.sql
-- title: cross-account-access
-- kind: ok
-- note: selects the requestParameters map, whose text form is not verified against AWS
-- columns: ["principalid", "eventName", "eventSource", "accountId", "recipientAccountId", "requestParameters", "eventTime"]
-- expect: unverified
-- rows: 1

SELECT
    userIdentity.principalid, eventName, eventSource, userIdentity.accountId, recipientAccountId, requestParameters, eventTime
FROM
    $EDS_ID 
WHERE
    eventTime > '2022-04-30 00:00:00'  
    AND eventTime < '2022-06-01 00:00:00'  
    AND userIdentity.accountId != recipientAccountId
