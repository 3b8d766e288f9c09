-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/SelfAssumeRole.sql
-- title: SelfAssumeRole
-- kind: ok
-- columns: ["eventid", "eventtime", "RoleARN", "RoleIdColonRoleSessionName"]
-- order: any
-- expect: [["bc842518-6caf-40bd-8996-a9eb5619e6b4", "2023-03-01 10:00:00.000", "arn:aws:iam::111122223333:role/app-role", "AROAEXAMPLEAPPROLE01:app-session"]]

SELECT
    eventid, eventtime, userIdentity.sessioncontext.sessionissuer.arn as RoleARN, userIdentity.principalId as RoleIdColonRoleSessionName 
from
    $EDS_ID 
where
    eventSource = 'sts.amazonaws.com' 
    and eventName = 'AssumeRole' 
    and userIdentity.type = 'AssumedRole' 
    and errorcode IS NULL 
    and userIdentity.sessioncontext.sessionissuer.arn = element_at(resources,1
    ).arn
