-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-lake-queries.html
-- title: CloudTrail Lake queries (eventTime-bounded example)
-- kind: malformed
-- note: '< =' (a space inside the operator) is not valid SQL

SELECT *
FROM $EDS_ID
WHERE
     eventtime >='2023-01-05 13:51:00' and eventtime < ='2023-01-19 13:51:00'
