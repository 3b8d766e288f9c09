-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-query-generator.html
-- title: Query generator prompt: What are my top errors in the past month?
-- kind: ok
-- columns: ["errorMessage", "eventCount"]
-- expect: [["Access Denied", "3"], ["User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:Decrypt action", "2"]]

SELECT
    errorMessage,
    COUNT(*) as eventCount
FROM
    $EDS_ID
WHERE
    errorMessage IS NOT NULL
AND eventTime >= timestamp '2024-05-01 00:00:00'
AND eventTime <= timestamp '2024-05-31 23:59:59'
GROUP BY 1
ORDER BY 2 DESC
LIMIT 2;
