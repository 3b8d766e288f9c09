-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/network-activity-events-vpce-access-denied-s3.sql
-- title: network-activity-events-vpce-access-denied-s3
-- kind: template
-- note: '${date_filter}' must be replaced by a timestamp; also selects userIdentity.username, eventType and eventCategory, which are not grouped

SELECT userIdentity.username,
    userIdentity.accountid,
    eventType,
    eventCategory,
    eventName,
    errorCode,
    errorMessage,
    vpcEndpointId,
    vpcEndpointAccountId,
    sourceIPAddress
FROM $EDS_ID
WHERE eventCategory = 'NetworkActivity'
    AND eventSource = 's3.amazonaws.com' 
    AND errorCode = 'VpceAccessDenied' 
    AND eventTime >= '${date_filter}'
    AND eventTime <= '${date_filter}'
GROUP BY 
    userIdentity.arn,
    userIdentity.accountid,
    eventName,
    errorMessage,
    vpcEndpointId,
    vpcEndpointAccountId,
    sourceIPAddress
ORDER BY eventName DESC
