-- source: https://github.com/awsdocs/aws-cloudtrail-user-guide/blob/d5b03544e850663eaefc9d1e7a73783491bb6986/doc_source/query-lake-examples.md
-- title: Example: Find all users who signed in to the console in a set of Regions
-- kind: ok
-- columns: ["eventTime", "arn", "awsRegion"]
-- order: any
-- expect: [["2023-02-08 19:54:44.000", "arn:aws:sts::111122223333:assumed-role/ConsoleAdmin/Alice", "us-east-1"], ["2023-02-09 09:00:00.000", "arn:aws:iam::111122223333:user/bob", "us-west-2"], ["2024-09-17 08:00:00.000", "arn:aws:sts::111122223333:assumed-role/ConsoleAdmin/Alice", "us-east-1"]]

SELECT 
    eventTime, 
    useridentity.arn, 
    awsRegion
FROM 
    $EDS_ID
WHERE 
    awsRegion in ('us-east-1', 'us-west-2') 
AND
    eventName = 'ConsoleLogin'
