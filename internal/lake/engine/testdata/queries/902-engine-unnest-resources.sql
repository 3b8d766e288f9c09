-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-lake-examples.html
-- title: engine test: resources of data events, unnested (written for the engine)
-- kind: ok
-- fixture: engine-fixture.jsonl
-- columns: ["eventName", "type", "arn", "eventTime"]
-- expect: [["GetObject", "AWS::S3::Bucket", "arn:aws:s3:::logs", "2026-12-02 08:00:00.000"], ["GetObject", "AWS::S3::Object", "arn:aws:s3:::logs/a.txt", "2026-12-02 08:00:00.000"]]

SELECT eventName, r.type, r.arn, eventTime
FROM $EDS_ID CROSS JOIN UNNEST(resources) AS t(r)
WHERE eventCategory = 'Data'
ORDER BY r.type
