-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/aurora-databases-with-performance-insights.sql
-- title: aurora-databases-with-performance-insights
-- kind: ok
-- note: the boolean request parameter enablePerformanceInsights is the map value 'true'
-- columns: ["DBInstance", "Engine", "DBEngineVersion"]
-- order: any
-- expect: [["pg-insights", "aurora-postgresql", "13.4"]]

SELECT
    element_at(requestParameters, 'dBInstanceIdentifier' 
    ) as DBInstance, element_at(requestParameters, 'engine' 
    ) as Engine, element_at(requestParameters, 'engineVersion' 
    ) as DBEngineVersion
FROM
    $EDS_ID 
WHERE
    element_at(requestParameters, 'engine' 
    ) = 'aurora-postgresql'  
    and eventname = 'CreateDBInstance' 
    and element_at(requestParameters, 'enablePerformanceInsights' 
    ) = 'true'
