-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples
-- title: engine test: a date placeholder left in, as the community templates have it (written for the engine)
-- kind: template
-- fixture: engine-fixture.jsonl
-- note: '${date_filter}' must be replaced by a timestamp; the eventName condition matches nothing, so only an early cast of the literal fails the query

SELECT eventName FROM $EDS_ID
WHERE eventName = 'NoSuchEvent' AND eventTime >= '${date_filter}'
