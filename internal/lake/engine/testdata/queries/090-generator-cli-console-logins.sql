-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-query-generator.html
-- title: Query generator (AWS CLI): Show me all console login events for the past week?
-- kind: ok
-- note: SELECT *: the row count is checked
-- columns: *
-- expect: unverified
-- rows: 1

SELECT * FROM $EDS_ID WHERE eventname = 'ConsoleLogin' AND eventtime >= timestamp '2024-09-16 00:00:00' AND eventtime <= timestamp '2024-09-23 00:00:00' AND eventSource = 'signin.amazonaws.com'
