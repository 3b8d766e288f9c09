-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/dynamodb-scan-operations.sql
-- title: dynamodb-scan-operations
-- kind: ok
-- note: compares eventname with 'scan'; the fixture's DynamoDB event is 'Scan' and string comparison is case-sensitive, so no rows
-- columns: *
-- expect: []

SELECT
    *
FROM
    $EDS_ID 
WHERE
    eventsource = 'dynamodb.amazonaws.com'  
    AND eventname = 'scan'
