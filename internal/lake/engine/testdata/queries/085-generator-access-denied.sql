-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-query-generator.html
-- title: Query generator prompt: Show any events with access denied errors for the past three weeks.
-- kind: malformed
-- note: WHERE WHERE

SELECT *
FROM
  $EDS_ID
WHERE
  WHERE (errorCode = 'AccessDenied' OR errorMessage = 'Access Denied')
AND eventTime >= timestamp '2024-05-16 01:00:00'
AND eventTime <= timestamp '2024-06-06 01:00:00'
