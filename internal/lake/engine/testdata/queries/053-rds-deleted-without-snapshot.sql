-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/rds-db-deleted-with-no-snapshot.sql
-- title: rds-db-deleted-with-no-snapshot
-- kind: ok
-- columns: ["DBCluster", "UserName", "DeletedTime"]
-- order: any
-- expect: [["cluster-old", "DBAdmin", "2022-08-20 16:00:00.000"]]

SELECT
    element_at(requestParameters, 'dBClusterIdentifier' 
    ) as DBCluster, userIdentity.sessionContext.sessionIssuer.userName as UserName, eventTime as DeletedTime
FROM
    $EDS_ID 
WHERE
    eventName = 'DeleteDBCluster'  
    and element_at(requestParameters, 'skipFinalSnapshot' 
    ) = 'true'
