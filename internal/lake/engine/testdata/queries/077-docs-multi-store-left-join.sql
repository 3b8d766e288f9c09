-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-limitations.html
-- title: Advanced, multi-table query support: LEFT|RIGHT|INNER JOIN
-- kind: malformed
-- note: parses, but edsA.map names a column that no event data store schema has, so it cannot run

SELECT edsA.eventName, edsB.eventName, element_at(edsA.map, 'test')
FROM $EDS_ID as edsA
LEFT JOIN $EDS_ID as edsB
ON edsA.eventId = edsB.eventId
WHERE edsA.eventtime <= '2020-01-01'
ORDER BY edsB.eventName;
