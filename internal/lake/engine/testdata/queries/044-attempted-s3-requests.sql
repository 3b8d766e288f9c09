-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/list-attempted-s3-requests..sql
-- title: list-attempted-s3-requests.
-- kind: malformed
-- note: 'requestParametersORDER BY' (a missing space) is not valid SQL

SELECT
    userIdentity.principalId, errorMessage, element_at(requestParameters, 'bucketName' 
    ) as bucket, element_at(requestParameters, 'key' 
    ) as objectKey, count(* 
    ) as attempts
FROM
    $EDS_ID 
WHERE
    eventTime > '2022-01-01 00:00:00'  
    AND eventTime < '2022-01-30 00:00:00'  
    AND eventSource = 's3.amazonaws.com' 
    AND eventName = 'GetObject'
GROUP
    BY userIdentity.principalId, errorMessage, requestParametersORDER BY attempts desc
