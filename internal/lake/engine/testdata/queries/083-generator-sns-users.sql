-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-query-generator.html
-- title: Query generator prompt: Give me a list of users that used Amazon SNS.
-- kind: ok
-- columns: ["user"]
-- order: any
-- expect: [["arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com"], ["arn:aws:iam::111122223333:user/bob"]]

SELECT
    DISTINCT userIdentity.arn AS user
FROM
    $EDS_ID
WHERE
    eventSource = 'sns.amazonaws.com'
