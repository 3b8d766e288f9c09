-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-query-generator.html
-- title: Query generator prompt: Find all Amazon S3 data events where resource tag Environment has value prod.
-- kind: ok
-- note: SELECT *: the row count is checked; needs the eventContext column
-- columns: *
-- expect: unverified
-- rows: 2

SELECT *
FROM
    $EDS_ID
WHERE eventCategory = 'Data'
    AND eventSource = 's3.amazonaws.com'
    AND eventtime >= '2025-05-14 00:00:00'
    AND eventtime < '2025-05-14 20:00:00'
    AND any_match(
        eventContext.tagContext.resourceTags,
        rt->element_at(rt.tags, 'Environment') = 'prod'
    )
