-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/list-write-events-from-management-console.sql
-- title: list-write-events-from-management-console
-- kind: ok
-- note: the published eventTime window is empty (start = end), so it returns no rows on any data; the schema types sessionCredentialFromConsole as a string, compared here with the boolean true
-- columns: ["arn", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "requestParameters", "readOnly", "recipientAccountId", "sessionCredentialFromConsole"]
-- expect: []

SELECT
    userIdentity.arn,eventTime,eventSource,eventName,awsRegion,sourceIPAddress,userAgent,requestParameters,readOnly,recipientAccountId,sessionCredentialFromConsole
FROM
    $EDS_ID
WHERE
    sessionCredentialFromConsole = true  
    AND readOnly = false  
    AND eventTime > '2022-01-01 00:00:00'  
    AND eventTime < '2022-01-01 00:00:00'
