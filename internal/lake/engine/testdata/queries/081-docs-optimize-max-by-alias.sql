-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-queries-optimization.html
-- title: Reduce window function scope (max_by)
-- kind: ok
-- note: relative to the current time; the fixture's alias events are dated 2099 so that they are always within the last week
-- columns: ["keyId", "mostRecentAlias"]
-- order: any
-- expect: [["1234abcd-12ab-34cd-56ef-1234567890ab", "alias/app-new"], ["0987dcba-09fe-87dc-65ba-ab0987654321", "alias/logs"]]

SELECT element_at(requestParameters, 'targetKeyId') as keyId,
max_by(element_at(requestParameters, 'aliasName'), eventTime) as mostRecentAlias
FROM $EDS_ID
WHERE eventsource = 'kms.amazonaws.com'
AND eventName in ('CreateAlias', 'UpdateAlias')
AND eventTime > DATE_ADD('week', -1, CURRENT_TIMESTAMP)
GROUP BY element_at(requestParameters, 'targetKeyId')
