-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-lake-examples.html
-- title: engine test: callers by number of API calls (written for the engine, in the shape of the page's examples)
-- kind: ok
-- fixture: engine-fixture.jsonl
-- columns: ["arn", "apiCount"]
-- expect: [["arn:aws:iam::111122223333:user/alice", "4"], ["arn:aws:iam::111122223333:root", "1"], ["arn:aws:sts::111122223333:assumed-role/Auditor/bob", "1"]]

SELECT userIdentity.arn, COUNT(*) AS apiCount
FROM $EDS_ID
WHERE eventTime > '2026-11-30 00:00:00'
GROUP BY userIdentity.arn
ORDER BY apiCount DESC, 1
