-- source: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-lake-examples.html
-- title: engine test: denied KMS calls with the role behind the session (written for the engine)
-- kind: ok
-- fixture: engine-fixture.jsonl
-- order: any
-- columns: ["eventName", "issuer", "region", "key", "_col4"]
-- expect: [["Decrypt", "Auditor", "eu-west-1", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "true"]]

SELECT eventName, userIdentity.sessionContext.sessionIssuer.userName AS issuer, awsRegion AS region,
    element_at(resources, 1).arn AS key, any_match(resources, x -> x.type = 'AWS::KMS::Key')
FROM $EDS_ID
WHERE eventSource = 'kms.amazonaws.com' AND errorCode LIKE '%AccessDenied%'
