-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/EstimateAmountOfConfigurationItems.sql
-- title: EstimateAmountOfConfigurationItems
-- kind: ok
-- columns: ["recipientAccountId", "awsRegion", "eventSource", "TotalPossibleCI"]
-- expect: [["444455556666", "eu-west-1", "lambda.amazonaws.com", "1"], ["111122223333", "us-east-1", "iam.amazonaws.com", "3"], ["111122223333", "eu-west-1", "ec2.amazonaws.com", "2"]]

SELECT
    recipientAccountId, awsRegion, eventSource, count(* 
    ) as TotalPossibleCI 
FROM
    $EDS_ID
Where
    (eventSource like 'eks%' 
        or eventSource like 'ec2%' 
        or eventSource like 'vpc%'
        or eventSource like 'ecs%' 
        or eventSource like 'iam%' 
        or eventSource like 'autoscaling%' 
        or eventSource like 's3%' 
        or eventSource like 'rds%' 
        or eventSource like 'backup%' 
        or eventSource like 'athena%' 
        or eventSource like 'cloudtrail%' 
        or eventSource like 'cloudfront%' 
        or eventSource like 'cloudformation%' 
        or eventSource like 'code%' 
        or eventSource like 'ecr%' 
        or eventSource like 'lambda%' 
        or eventSource like 'efs%' 
    ) 
    and readOnly=False 
    and managementEvent=True 
    and eventTime > '2023-10-01 00:00:00' 
    AND eventTime < '2023-10-30 00:00:00' 
group
    by recipientAccountId, awsRegion, eventSource Order by recipientAccountId desc, TotalPossibleCI desc
