-- source: https://github.com/awsdocs/aws-cloudtrail-user-guide/blob/d5b03544e850663eaefc9d1e7a73783491bb6986/doc_source/query-lake-examples.md
-- title: Example: Find all principal user identities who called CreateBucket on January 22, 2023
-- kind: ok
-- columns: ["principalid", "eventName"]
-- order: any
-- expect: [["AIDAEXAMPLEBOB000001", "CreateBucket"]]

SELECT 
    userIdentity.principalid, 
    eventName 
FROM 
    $EDS_ID
WHERE 
    userIdentity.principalid IS NOT NULL 
AND 
    eventTime > '2023-01-22 00:00:00' 
AND 
    eventTime < '2023-01-23 00:00:00' 
AND 
    eventName='CreateBucket'
