-- source: https://github.com/awsdocs/aws-cloudtrail-user-guide/blob/d5b03544e850663eaefc9d1e7a73783491bb6986/doc_source/query-lake-examples.md
-- title: Example: Find all CloudTrail Lake queries that were run in January 2023
-- kind: ok
-- columns: ["_col0", "_col1"]
-- order: any
-- expect: [["EXAMPLEd-17a7-47c3-a9a1-eccf7EXAMPLE", "select * from event_data_store_ID limit 1;"]]

SELECT 
    element_at(responseElements, 'queryId'), 
    element_at(requestParameters, 'queryStatement')
FROM 
    $EDS_ID
WHERE 
    eventName='StartQuery' 
AND 
    eventSource = 'cloudtrail.amazonaws.com' 
AND 
    responseElements IS NOT NULL
AND 
    eventTime > '2023-01-01 00:00:00' 
AND 
    eventTime < '2023-02-01 00:00:00'
