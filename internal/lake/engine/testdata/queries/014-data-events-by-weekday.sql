-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/data-by-week-day.sql
-- title: data-by-week-day
-- kind: ok
-- note: the published eventTime window is empty (start = end), so it returns no rows on any data; day_of_week is Trino's ISO day (Monday = 1)
-- columns: ["weekday", "eventCount"]
-- expect: []

SELECT
    day_of_week(eventTime
    ) as weekday,  COUNT(*
    ) as eventCount
FROM
    $EDS_ID
WHERE
    eventTime > '2022-01-01 00:00:00' 
    AND eventTime < '2022-01-01 00:00:00' 
    AND eventCategory = 'Data'
GROUP
    BY day_of_week(eventTime
    )ORDER BY day_of_week(eventTime
    )
