-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/database-reboot-information.sql
-- title: database-reboot-information
-- kind: ok
-- columns: ["DBInstance", "UserName", "RebootTime"]
-- expect: [["pg-insights", "DBAdmin", "2022-05-12 11:00:00.000"]]

SELECT
    element_at(requestParameters, 'dBInstanceIdentifier'  
    ) as DBInstance, userIdentity.sessionContext.sessionIssuer.userName as UserName, eventTime as RebootTime
FROM
    $EDS_ID 
WHERE
    eventName = 'RebootDBInstance'ORDER BY eventTime DESC
