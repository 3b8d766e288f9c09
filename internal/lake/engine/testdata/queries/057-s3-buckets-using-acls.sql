-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/s3-buckets-using-acls.sql
-- title: s3-buckets-using-acls
-- kind: ok
-- columns: ["Bucket", "Region", "AccountID"]
-- expect: [["legacy-bucket", "us-east-1", "111122223333"], ["old-logs", "eu-west-1", "444455556666"]]

SELECT DISTINCT
    element_at(requestParameters, 'bucketName') AS Bucket,
    awsRegion AS Region,
    recipientAccountId AS AccountID
FROM
    $EDS_ID 
WHERE
    element_at(additionalEventData, 'aclRequired') = 'Yes'
ORDER BY
    recipientAccountId,
    awsRegion
