-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-query-generator.html
-- title: Query generator prompt: Query the number of calls each operator performed on the date 2024-05-01. The operator is a principal tag.
-- kind: ok
-- note: needs the eventContext column (tag context), which the published schema table does not list
-- columns: ["operator", "eventCount"]
-- expect: [["ops-anna", "2"], ["ops-ben", "1"]]

SELECT element_at(
        eventContext.tagContext.principalTags,
        'operator'
    ) AS operator,
    COUNT(*) AS eventCount
FROM
    $EDS_ID
WHERE eventtime >= '2024-05-01 00:00:00'
    AND eventtime < '2024-05-01 23:59:59'
GROUP BY 1
ORDER BY 2 DESC;
