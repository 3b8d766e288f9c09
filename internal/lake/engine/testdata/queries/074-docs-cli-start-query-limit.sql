-- source: https://github.com/awsdocs/aws-cloudtrail-user-guide/blob/d5b03544e850663eaefc9d1e7a73783491bb6986/doc_source/query-lake-cli.md
-- title: Managing CloudTrail Lake by using the AWS CLI: Start a query
-- kind: ok
-- note: LIMIT without ORDER BY: any 10 rows; the row count is checked
-- columns: ["eventID", "eventTime"]
-- expect: unverified
-- rows: 10

SELECT eventID, eventTime FROM $EDS_ID LIMIT 10
