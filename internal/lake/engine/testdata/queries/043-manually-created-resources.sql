-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/list-all-manually-created-resources.sql
-- title: list-all-manually-created-resources
-- kind: ok
-- note: selects the userIdentity row, the requestParameters map and the resources array, whose text forms are not verified against AWS; events without a session issuer drop out (NULL NOT LIKE ...)
-- columns: ["user", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "requestParameters", "resources", "requestID", "eventID"]
-- expect: unverified
-- rows: 2

SELECT
    userIdentity.arn AS user, userIdentity, eventTime, eventSource, eventName, awsRegion, requestParameters, resources, requestID, eventID
FROM
    $EDS_ID
WHERE
    (eventName LIKE '%Create%' 
        OR eventName LIKE '%Update%' 
        OR eventName LIKE '%Put%' 
        OR eventName LIKE '%Delete%'
    )
    AND resources IS NOT NULL
    AND userIdentity.sessioncontext.sessionissuer.username NOT LIKE 'AWSServiceRole%'
    AND userIdentity.sessioncontext.sessionissuer.username NOT IN (''
    )
    AND sourceIpAddress != 'cloudformation.amazonaws.com'ORDER BY eventTime DESC
