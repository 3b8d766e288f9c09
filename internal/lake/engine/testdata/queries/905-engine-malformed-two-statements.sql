-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-limitations.html
-- title: engine test: two statements (written for the engine; Lake runs a single SELECT)
-- kind: malformed
-- fixture: engine-fixture.jsonl

SELECT eventName FROM $EDS_ID; SELECT eventID FROM $EDS_ID
