-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/iam-principal-by-launched-ec2-instance-id.sql
-- title: iam-principal-by-launched-ec2-instance-id
-- kind: ok
-- note: matches the compact JSON text of a nested responseElements value
-- columns: ["principalid", "eventName", "eventTime", "recipientAccountId", "awsRegion"]
-- order: any
-- expect: [["AIDAEXAMPLEBOB000001", "RunInstances", "2023-01-05 07:00:00.000", "111122223333", "us-west-2"]]

SELECT userIdentity.principalid, eventName, eventTime, recipientAccountId, awsRegion 
FROM $EDS_ID
WHERE responseElements IS NOT NULL AND
element_at(responseElements, 'instancesSet') like '%"instanceId":"i-b188560f"%' 
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
AND eventName='RunInstances'
