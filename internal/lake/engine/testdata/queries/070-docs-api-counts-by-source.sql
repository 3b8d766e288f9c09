-- source: https://github.com/awsdocs/aws-cloudtrail-user-guide/blob/d5b03544e850663eaefc9d1e7a73783491bb6986/doc_source/query-lake-examples.md
-- title: Example: Find the number of API calls since January 1, 2023, grouped by eventName and eventSource
-- kind: ok
-- columns: ["eventSource", "eventName", "apiCount"]
-- order: any
-- expect: [["s3.amazonaws.com", "GetObject", "10"], ["kms.amazonaws.com", "Decrypt", "7"], ["signin.amazonaws.com", "ConsoleLogin", "4"], ["sts.amazonaws.com", "AssumeRole", "4"], ["kms.amazonaws.com", "GenerateDataKey", "3"], ["s3.amazonaws.com", "PutObject", "3"], ["cloudtrail.amazonaws.com", "StartQuery", "2"], ["config.amazonaws.com", "PutEvaluations", "2"], ["ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", "2"], ["iam.amazonaws.com", "CreatePolicy", "2"], ["kms.amazonaws.com", "CreateAlias", "2"], ["s3.amazonaws.com", "ListBuckets", "2"], ["s3.amazonaws.com", "PutBucketPublicAccessBlock", "2"], ["sns.amazonaws.com", "Publish", "2"], ["cloudtrail.amazonaws.com", "DescribeQuery", "1"], ["dynamodb.amazonaws.com", "Scan", "1"], ["ec2.amazonaws.com", "AssociateAddress", "1"], ["ec2.amazonaws.com", "CreateVpc", "1"], ["ec2.amazonaws.com", "ModifySecurityGroupRules", "1"], ["ec2.amazonaws.com", "RevokeSecurityGroupIngress", "1"], ["ec2.amazonaws.com", "RunInstances", "1"], ["iam.amazonaws.com", "AttachRolePolicy", "1"], ["iam.amazonaws.com", "CreateAccessKey", "1"], ["iam.amazonaws.com", "CreateRole", "1"], ["iam.amazonaws.com", "CreateUser", "1"], ["iam.amazonaws.com", "DeleteRole", "1"], ["iam.amazonaws.com", "DetachRolePolicy", "1"], ["iam.amazonaws.com", "GetRole", "1"], ["iam.amazonaws.com", "PutRolePolicy", "1"], ["kms.amazonaws.com", "CreateKey", "1"], ["kms.amazonaws.com", "UpdateAlias", "1"], ["lambda.amazonaws.com", "CreateFunction20150331", "1"], ["s3.amazonaws.com", "CreateBucket", "1"], ["s3.amazonaws.com", "PutBucketPolicy", "1"], ["s3.amazonaws.com", "PutBucketTagging", "1"], ["s3.amazonaws.com", "PutBucketVersioning", "1"], ["sns.amazonaws.com", "CreateTopic", "1"], ["sso.amazonaws.com", "Authenticate", "1"], ["sso.amazonaws.com", "Federate", "1"]]

SELECT 
    eventSource, 
    eventName, 
    COUNT(*) AS apiCount
FROM 
    $EDS_ID
WHERE 
    eventTime > '2023-01-01 00:00:00' 
GROUP BY 
    eventSource, eventName 
ORDER BY 
    apiCount DESC
