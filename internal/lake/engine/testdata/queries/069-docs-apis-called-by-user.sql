-- source: https://github.com/awsdocs/aws-cloudtrail-user-guide/blob/d5b03544e850663eaefc9d1e7a73783491bb6986/doc_source/query-lake-examples.md
-- title: Example: Find all APIs that a user called on January 22, 2023
-- kind: ok
-- columns: ["eventID", "eventName", "eventSource", "eventTime"]
-- order: any
-- expect: [["9d2b5380-83b6-4e48-9a62-80c85e1fb895", "CreateBucket", "s3.amazonaws.com", "2023-01-22 15:00:00.000"], ["235e8416-ea32-4886-a065-5d7e38aeb631", "DescribeQuery", "cloudtrail.amazonaws.com", "2023-01-22 16:53:53.000"], ["0e6de3e2-c99e-4eb0-867f-979dc84ef66d", "StartQuery", "cloudtrail.amazonaws.com", "2023-01-22 17:00:00.000"], ["493afbfa-1d96-4d97-b296-446fcd42e00e", "StartQuery", "cloudtrail.amazonaws.com", "2023-01-22 17:10:00.000"], ["cf0a8f29-d8b6-4adf-9cb4-d4cae5463f68", "ListBuckets", "s3.amazonaws.com", "2023-01-22 20:25:01.000"]]

SELECT 
    eventID, 
    eventName, 
    eventSource, 
    eventTime
FROM 
    $EDS_ID
WHERE 
    userIdentity.username = 'bob' 
AND 
    eventTime > '2023-01-22 00:00:00' 
AND 
    eventTime < '2023-01-23 00:00:00'
