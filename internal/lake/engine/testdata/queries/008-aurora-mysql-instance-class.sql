-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/aurora-mysql-databases-with-instance-class-information.sql
-- title: aurora-mysql-databases-with-instance-class-information
-- kind: ok
-- columns: ["DBInstance", "InstanceClass", "Engine", "DateTime"]
-- order: any
-- expect: [["mysql-prod-1", "db.r6g.large", "aurora-mysql", "2022-03-01 09:00:00.000"]]

SELECT
    element_at(requestParameters, 'dBInstanceIdentifier' 
    ) as DBInstance, element_at(requestParameters, 'dBInstanceClass' 
    ) as InstanceClass, element_at(requestParameters, 'engine' 
    ) as Engine, eventTime as DateTime
FROM
    $EDS_ID 
WHERE
    element_at(requestParameters, 'engine' 
    ) = 'aurora-mysql'  
    and eventname = 'CreateDBInstance'  
    and eventTime >='2022-01-01 00:00:00'
