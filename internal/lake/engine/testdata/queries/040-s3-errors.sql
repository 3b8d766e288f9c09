-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/list-all-errors-for-s3-events.sql
-- title: list-all-errors-for-s3-events
-- kind: malformed
-- note: the published text runs into a second copy of itself ('s3.amazonaws.com'example: select ...)

select
    eventType, eventName, errorMessage 
from
    $EDS_ID 
where
    errorMessage is not null  
    and eventSource='s3.amazonaws.com'example: select
        eventType, eventName, errorMessage  
    from
        $EDS_ID  
    where
        errorMessage is not null  
        and eventSource='s3.amazonaws.com'
