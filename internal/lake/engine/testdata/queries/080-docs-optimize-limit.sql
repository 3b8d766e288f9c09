-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-queries-optimization.html
-- title: Limit query results
-- kind: ok
-- note: SELECT *: the row count is checked
-- columns: *
-- expect: unverified
-- rows: 90

SELECT * FROM $EDS_ID
ORDER BY eventTime
LIMIT 100;
