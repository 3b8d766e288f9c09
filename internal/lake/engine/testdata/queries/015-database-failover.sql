-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/database-failover-information.sql
-- title: database-failover-information
-- kind: ok
-- columns: ["AWSRegion", "DBCluster", "UserName", "FailoverTime"]
-- order: any
-- expect: [["us-east-1", "cluster-a", "DBAdmin", "2022-06-15 14:00:00.000"]]

SELECT
    awsRegion as AWSRegion,  element_at(requestParameters, 'dBClusterIdentifier'
    ) as DBCluster, userIdentity.sessionContext.sessionIssuer.userName as UserName, eventTime as FailoverTime
FROM
    $EDS_ID 
WHERE
    eventName = 'FailoverDBCluster'
