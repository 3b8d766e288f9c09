-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/top-actions-by-iam-role.sql
-- title: top-actions-by-iam-role
-- kind: ok
-- columns: ["NumberEvents", "eventSource", "eventName"]
-- expect: [["2", "kms.amazonaws.com", "Decrypt"], ["1", "kms.amazonaws.com", "GenerateDataKey"]]

SELECT count (*) as NumberEvents, eventSource, eventName
FROM $EDS_ID 
WHERE eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00' 
AND useridentity.type = 'AssumedRole' 
AND useridentity.sessioncontext.sessionissuer.arn = 'arn:aws:iam::555555555555:role/alice'
GROUP by eventSource, eventName
order by NumberEvents desc;
