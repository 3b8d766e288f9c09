-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/network-activity-events-vpce-access-denied-secrets-manager.sql
-- title: network-activity-events-vpce-access-denied-secrets-manager
-- kind: template
-- note: '${date_filter}' must be replaced by a timestamp

SELECT eventTime,
    userIdentity.username,
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
    AND eventSource = 'secretsmanager.amazonaws.com'
    AND errorCode = 'VpceAccessDenied' 
    AND eventTime >= '${date_filter}'
    AND eventTime <= '${date_filter}'
ORDER BY eventTime
