-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/top-s3-actions.sql
-- title: top-s3-actions
-- kind: malformed
-- note: 'eventNameORDER BY' (a missing space) is not valid SQL

SELECT
    eventName, COUNT(*
    ) as requestCount
FROM
    $EDS_ID
WHERE
    eventSource = 's3.amazonaws.com' 
    AND eventCategory = 'Data' 
    AND eventTime > '2022-01-01 00:00:00' 
    AND eventTime < '2022-01-01 00:00:00' 
    AND element_at(requestParameters, 'bucketName'
    ) = 'my-bucket-name'
GROUP
    BY eventNameORDER BY requestCount DESC
