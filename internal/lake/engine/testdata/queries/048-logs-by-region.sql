-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/logs-by-region.sql
-- title: logs-by-region
-- kind: ok
-- columns: ["awsRegion", "eventSource", "apiCount"]
-- expect: [["us-east-1", "rds.amazonaws.com", "6"], ["us-east-1", "ec2.amazonaws.com", "4"], ["us-east-1", "config.amazonaws.com", "3"], ["us-east-1", "iam.amazonaws.com", "2"], ["us-east-1", "kms.amazonaws.com", "1"]]

SELECT
    awsRegion, eventSource, COUNT(*  
    ) AS apiCount 
FROM
    $EDS_ID 
WHERE
    eventTime > '2022-04-23 00:00:00'  
    AND eventTime < '2022-11-26 00:00:00' 
GROUP
    BY awsRegion, eventSource ORDER BY apiCount DESC
