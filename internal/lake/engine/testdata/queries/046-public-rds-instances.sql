-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/list-publicly-accessible-rds-instances.sql
-- title: list-publicly-accessible-rds-instances
-- kind: malformed
-- note: two copies of the statement run together ('true'SELECT)

SELECT
    *
FROM
    $EDS_ID 
WHERE
    eventsource = 'rds.amazonaws.com'  
    AND eventname = 'CreateDBInstance'  
    AND ELEMENT_AT(requestParameters, 'publiclyAccessible' 
    ) = 'true'SELECT
    *
FROM
    $EDS_ID 
WHERE
    eventsource = 'rds.amazonaws.com'  
    AND eventname = 'CreateDBInstance'  
    AND ELEMENT_AT(requestParameters, 'publiclyAccessible' 
    ) = 'true'
