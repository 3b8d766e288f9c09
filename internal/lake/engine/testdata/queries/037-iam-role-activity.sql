-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-role-activity.sql
-- title: iam-role-activity
-- kind: ok
-- columns: ["eventSource", "eventName", "eventTime", "eventID", "errorCode"]
-- order: any
-- expect: [["kms.amazonaws.com", "Decrypt", "2023-01-03 11:00:00.000", "a3e47098-34ed-47b9-ab57-71920aedd5e4", null], ["kms.amazonaws.com", "Decrypt", "2023-01-03 11:05:00.000", "7f41a5eb-9b8f-4c13-b37e-cae61a63b5a5", null], ["kms.amazonaws.com", "GenerateDataKey", "2023-01-03 11:10:00.000", "424c21cd-5733-4d25-b87a-7a86fc841a08", null]]

SELECT eventSource, eventName, eventTime, eventID, errorCode 
FROM $EDS_ID 
WHERE eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
AND useridentity.type = 'AssumedRole'
AND useridentity.sessioncontext.sessionissuer.arn = 'arn:aws:iam::555555555555:role/alice';
