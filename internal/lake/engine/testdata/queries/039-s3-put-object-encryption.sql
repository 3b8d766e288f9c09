-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/list-all-S3-PutObjects-Encryption-status.sql
-- title: list-all-S3-PutObjects-Encryption-status
-- kind: ok
-- columns: ["recipientAccountId", "eventTime", "S3BUCKET", "S3OBJECT", "ReqENCRYPTION", "RespENCRYPTION"]
-- expect: [["111122223333", "2025-05-14 09:00:00.000", "pay-bucket", "ledger-2.csv", null, null], ["111122223333", "2023-05-02 10:00:00.000", "legacy-bucket", "b.txt", null, null], ["111122223333", "2023-01-06 08:00:00.000", "demo-bucket", "reports/q2.csv", "AES256", "AES256"]]

select
    recipientAccountId, eventTime, element_at(requestParameters,'bucketName'
    ) AS S3BUCKET , element_at(requestParameters,'key'
    ) AS S3OBJECT, element_at(requestParameters,'x-amz-server-side-encryption'
    ) AS ReqENCRYPTION,element_at(responseElements,'x-amz-server-side-encryption'
    ) AS RespENCRYPTION 
from
    $EDS_ID 
where
    eventName='PutObject' order by eventTime desc
