-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/event-response-element-by-event-id.sql
-- title: event-response-element-by-event-id
-- kind: ok
-- note: selects the responseElements map, whose text form is not verified against AWS
-- columns: ["responseElements"]
-- expect: unverified
-- rows: 1

SELECT responseElements
FROM $EDS_ID
WHERE eventID = '3270e016-59a1-4448-8dd1-d27a4796502d';
