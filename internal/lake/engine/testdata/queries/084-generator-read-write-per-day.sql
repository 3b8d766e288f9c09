-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-query-generator.html
-- title: Query generator prompt: What are my API counts each day for read and write events in the past month?
-- kind: ok
-- columns: ["event_date", "read_events", "write_events"]
-- expect: [["2024-05-10", "3", "0"], ["2024-05-11", "2", "0"], ["2024-05-12", "2", "1"], ["2024-05-20", "1", "0"], ["2024-06-01", "0", "3"]]

SELECT date(eventTime) AS event_date,
    SUM(
        CASE
            WHEN readonly = true THEN 1
            ELSE 0
        END
    ) AS read_events,
    SUM(
        CASE
            WHEN readonly = false THEN 1
            ELSE 0
        END
    ) AS write_events
FROM
    $EDS_ID
WHERE
    eventTime >= timestamp '2024-05-04 00:00:00'
AND eventTime <= timestamp '2024-06-04 23:59:59'
GROUP BY 1
ORDER BY 1 ASC;
