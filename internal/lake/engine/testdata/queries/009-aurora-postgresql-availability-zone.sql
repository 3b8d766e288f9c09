-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/aurora-postgresql-databases-with%20availability-zone-information.sql
-- title: aurora-postgresql-databases-with availability-zone-information
-- kind: ok
-- columns: ["DBInstance", "Engine", "DBEngineVersion", "AvailabilityZone"]
-- order: any
-- expect: [["pg-2021", "aurora-postgresql", "12.7", "us-east-1a"]]

SELECT
    element_at(requestParameters, 'dBInstanceIdentifier'
    ) as DBInstance, element_at(requestParameters, 'engine'
    ) as Engine, element_at(requestParameters, 'engineVersion'
    ) as DBEngineVersion,  element_at(requestParameters, 'availabilityZone'
    ) as AvailabilityZone
FROM
    $EDS_ID 
WHERE
    element_at(requestParameters, 'engine'
    ) = 'aurora-postgresql' 
    and eventname = 'CreateDBInstance' 
    and eventTime >='2021-01-01 00:00:00' 
    and eventTime < '2022-01-01 00:00:00'
