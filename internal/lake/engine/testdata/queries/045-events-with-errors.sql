-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/list-events-with-errors.sql
-- title: list-events-with-errors
-- kind: ok
-- note: the published eventTime window is empty (start = end), so it returns no rows on any data
-- columns: ["arn", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestParameters", "readOnly", "resources", "recipientAccountId", "tlsDetails"]
-- expect: []

SELECT
    userIdentity.arn,eventTime,eventSource,eventName,awsRegion,sourceIPAddress,userAgent,errorCode,errorMessage,requestParameters,readOnly,resources,recipientAccountId,tlsDetails
FROM
    $EDS_ID
WHERE
    errorCode IS NOT NULL  
    AND eventTime > '2022-01-01 00:00:00'  
    AND eventTime < '2022-01-01 00:00:00'
