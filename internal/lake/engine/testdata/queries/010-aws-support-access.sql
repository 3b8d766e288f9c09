-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/aws-support-access.sql
-- title: aws-support-access
-- kind: ok
-- note: selects the requestParameters and responseElements maps, whose text form is not verified against AWS
-- columns: ["eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "userIdtype", "ressourceAccountID", "ressourceARN", "eventType", "eventCategory", "managementEvent", "recipientAccountId", "requestParameters", "responseElements"]
-- expect: unverified
-- rows: 1

select
    eventTime,  eventSource,  eventName,  awsRegion,  sourceIPAddress, userAgent,  userIdentity.type as userIdtype,  element_at(resources, 1
    ).accountId as ressourceAccountID, element_at(resources, 1
    ).arn as ressourceARN, eventType, eventCategory, managementEvent, recipientAccountId, requestParameters, responseElements 
from
    $EDS_ID
where
    eventSource = 'sts.amazonaws.com' 
    and userAgent = 'support.amazonaws.com'
