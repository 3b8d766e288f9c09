-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/ec2-api-run-instances.sql
-- title: ec2-api-run-instances
-- kind: ok
-- note: a nested responseElements value is the JSON text of the record's value
-- columns: ["recipientAccountId", "awsRegion", "eventID", "instances"]
-- order: any
-- expect: [["111122223333", "us-west-2", "3270e016-59a1-4448-8dd1-d27a4796502d", "{\"items\":[{\"instanceId\":\"i-b188560f\",\"instanceType\":\"t3.micro\"}]}"]]

SELECT recipientAccountId, awsRegion, eventID, element_at(responseElements, 'instancesSet') as instances
FROM $EDS_ID
WHERE eventName='RunInstances'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
