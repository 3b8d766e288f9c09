-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-limitations.html
-- title: Advanced, multi-table query support: UNION|UNION ALL|EXCEPT|INTERSECT
-- kind: ok
-- note: the three stores are one store here; each of the first five event IDs appears twice
-- columns: ["eventId", "eventName"]
-- expect: [["00505dee-4133-4080-99b2-73856429ffd4", "PutRolePolicy"], ["00505dee-4133-4080-99b2-73856429ffd4", "PutRolePolicy"], ["07c2dba2-154f-4751-9188-5734e3fd32f0", "GetObject"], ["07c2dba2-154f-4751-9188-5734e3fd32f0", "GetObject"], ["0a04772c-b94e-4d61-97c9-19c58a57733a", "AuthorizeSecurityGroupIngress"], ["0a04772c-b94e-4d61-97c9-19c58a57733a", "AuthorizeSecurityGroupIngress"], ["0a84aa17-c621-48a5-be60-501cc5c11b16", "AssumeRole"], ["0a84aa17-c621-48a5-be60-501cc5c11b16", "AssumeRole"], ["0b656f8b-698d-4366-b02c-95e3f2577064", "Publish"], ["0b656f8b-698d-4366-b02c-95e3f2577064", "Publish"]]

Select eventId, eventName from $EDS_ID
UNION
Select eventId, eventName from $EDS_ID
UNION ALL
Select eventId, eventName from $EDS_ID
ORDER BY eventId LIMIT 10;
