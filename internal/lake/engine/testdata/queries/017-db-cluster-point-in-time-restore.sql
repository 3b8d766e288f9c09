-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/db-cluster-point-in-time-restore.sql
-- title: db-cluster-point-in-time-restore
-- kind: ok
-- columns: ["Source", "Target", "UserName", "RestoreTime"]
-- order: any
-- expect: [["cluster-a", "cluster-a-restored", "DBAdmin", "2022-07-01 15:00:00.000"]]

SELECT
    element_at(requestParameters, 'sourceDBClusterIdentifier' 
    ) as Source, element_at(requestParameters, 'dBClusterIdentifier' 
    ) as Target, userIdentity.sessionContext.sessionIssuer.userName as UserName, eventTime as RestoreTime
FROM
    $EDS_ID 
WHERE
    eventName = 'RestoreDBClusterToPointInTime'
