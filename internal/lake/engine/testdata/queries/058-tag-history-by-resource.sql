-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/tag-history-by-resource.sql
-- title: tag-history-by-resource
-- kind: ok
-- note: reads the raw record through eventJson
-- columns: ["awsRegion", "eventSource", "resourceId", "eventTime", "eventName", "key", "value", "identityarn"]
-- expect: [["us-east-1", "ec2.amazonaws.com", "i-0abc1234def567890", "2022-10-02 09:00:00.000", "DeleteTags", "Owner", null, "arn:aws:iam::111122223333:user/bob"], ["us-east-1", "ec2.amazonaws.com", "i-0abc1234def567890", "2022-10-01 09:00:00.000", "CreateTags", "Owner", "bob", "arn:aws:iam::111122223333:user/bob"]]

SELECT
    awsRegion, eventSource, json_extract_scalar(eventjson, '$.requestParameters.resourcesSet.items[0].resourceId' 
    ) as resourceId, eventTime, eventName, json_extract_scalar(eventjson, '$.requestParameters.tagSet.items[0].key' 
    ) as key, json_extract_scalar(eventjson, '$.requestParameters.tagSet.items[0].value' 
    ) as value, useridentity.arn as identityarn 
from
    $EDS_ID 
where
    eventTime > '2022-01-01 00:00:00'  
    and eventName in ('CreateTags','DeleteTags' 
    )order by resourceId,key,eventTime desc
