-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-query-generator.html
-- title: Query generator prompt: Count the number of events grouped by resource tag 'solution' values, listing them in descending order of count.
-- kind: ok
-- note: needs the eventContext column (tag context), which the published schema table does not list; unnest of an array of rows exposes the row's fields (rt.tags)
-- columns: ["_col0", "event_count"]
-- expect: [["payments", "5"], ["website", "1"]]

SELECT element_at(rt.tags, 'solution'),
    count(*) as event_count
FROM
    $EDS_ID,
    unnest(eventContext.tagContext.resourceTags) as rt
WHERE eventtime < '2025-05-14 19:00:00'
GROUP BY 1
ORDER BY 2 DESC;
