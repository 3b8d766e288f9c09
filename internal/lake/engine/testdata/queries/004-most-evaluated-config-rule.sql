-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/MostEvaluatedConfigRule.sql
-- title: MostEvaluatedConfigRule
-- kind: ok
-- note: groups by the additionalEventData map itself
-- columns: ["TotalEvents", "datestamp", "awsRegion", "recipientAccountId", "configRuleName", "configRuleArn"]
-- expect: [["1", "2022-11-05", "us-east-1", "111122223333", "s3-bucket-versioning-enabled", "arn:aws:config:us-east-1:111122223333:config-rule/config-rule-abc123"], ["2", "2022-11-03", "us-east-1", "111122223333", "s3-bucket-versioning-enabled", "arn:aws:config:us-east-1:111122223333:config-rule/config-rule-abc123"]]

SELECT
    count(*
    ) as TotalEvents, date(eventTime
    ) as datestamp,awsRegion, recipientAccountId, element_at(additionalEventData, 'configRuleName'
    ) as configRuleName, element_at(additionalEventData, 'configRuleArn'
    ) as configRuleArn
FROM 
$EDS_ID
WHERE
    eventName= 'PutEvaluations'
    and eventTime > '2022-11-01 00:00:00'
    AND eventTime < '2022-11-22 00:00:00'
group
    by date(eventTime
    ), awsRegion, recipientAccountId, additionalEventData
order 
	by date(eventTime
    ) desc, TotalEvents desc, recipientAccountId
