-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/list-all-events-not-in-authorized-region.sql
-- title: list-all-events-not-in-authorized-region
-- kind: malformed
-- note: the published text runs into a second copy of itself ('<accountid>': select ...) and has <region>/<accountid> placeholders

select
    awsRegion, eventType, eventTime, eventName 
from
    $EDS_ID 
where
    awsRegion not in ('region','region' 
    )  
    and recipientAccountId='<accountid>': select
        awsRegion, eventType, eventTime, eventName  
    from
        $EDS_ID  
    where
        awsRegion not in ('<region>','<region>' 
        )  
        and recipientAccountId='<accountid>'
