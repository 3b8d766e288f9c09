-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-query-generator.html
-- title: Query generator prompt: Give me all event IDs that touched resources within the CloudFormation stack with name myStack on the date 2024-05-01.
-- kind: ok
-- note: needs the eventContext column (tag context), which the published schema table does not list
-- columns: ["eventID"]
-- order: any
-- expect: [["5f5caa5c-4b0e-40dd-8c9d-0de7a66a18c1"], ["b0bfa9c1-6cb6-4767-b565-2fbc954d4703"]]

SELECT eventID
FROM
    $EDS_ID
WHERE any_match(
        eventContext.tagcontext.resourcetags,
        rt->element_at(rt.tags, 'aws:cloudformation:stack-name') = 'myStack'
    )
    AND eventtime >= '2024-05-01 00:00:00'
    AND eventtime < '2024-05-01 23:59:59'
