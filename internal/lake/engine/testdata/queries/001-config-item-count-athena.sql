-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/ConfigItemCountQuery.sql
-- title: ConfigItemCountQuery
-- kind: malformed
-- note: an Athena query over a Glue table (default.awsconfig, "$path"), not over an event data store

SELECT configurationItem.resourceType,
	configurationItem.resourceId,
	COUNT(configurationItem.resourceId) AS NumberOfChanges
FROM default.awsconfig
	CROSS JOIN UNNEST(configurationitems) AS t(configurationItem)
WHERE "$path" LIKE '%ConfigHistory%'
	AND configurationItem.configurationItemCaptureTime >= '2023-11-01T%'
	AND configurationItem.configurationItemCaptureTime <= '2023-11-21T%'
GROUP BY configurationItem.resourceType,
	configurationItem.resourceId
ORDER BY NumberOfChanges DESC
