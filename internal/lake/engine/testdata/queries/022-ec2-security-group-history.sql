-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/ec2-security-historical-changes.sql
-- title: ec2-security-historical-changes
-- kind: ok
-- columns: ["securityGroup", "eventName", "eventTime", "securityGroupRule", "user", "sourceIPAddress", "eventSource"]
-- expect: [["sg-0private", "AuthorizeSecurityGroupIngress", "2023-07-07 12:00:00.000", "{\"items\":[{\"fromPort\":5432,\"ipProtocol\":\"tcp\",\"ipRanges\":{\"items\":[{\"cidrIp\":\"10.0.0.0/8\"}]},\"toPort\":5432}]}", "arn:aws:iam::111122223333:user/bob", "192.0.2.10", "ec2.amazonaws.com"], ["sg-0public", "AuthorizeSecurityGroupIngress", "2023-07-06 12:00:00.000", "{\"items\":[{\"fromPort\":22,\"ipProtocol\":\"tcp\",\"ipRanges\":{\"items\":[{\"cidrIp\":\"0.0.0.0/0\"}]},\"toPort\":22}]}", "arn:aws:iam::111122223333:user/bob", "192.0.2.10", "ec2.amazonaws.com"], ["sg-0public", "ModifySecurityGroupRules", "2023-07-08 12:00:00.000", "{\"GroupId\":\"sg-0public\",\"SecurityGroupRule\":{\"SecurityGroupRule\":{\"CidrIpv4\":\"0.0.0.0/0\",\"FromPort\":443,\"IpProtocol\":\"tcp\",\"ToPort\":443},\"SecurityGroupRuleId\":\"sgr-0abc\"}}", "arn:aws:iam::111122223333:user/bob", "192.0.2.10", "ec2.amazonaws.com"]]

-- This part of the query returns AuthorizeSecurityGroupIngress events
SELECT
    element_at(requestParameters, 'groupId') AS securityGroup,
    eventName,
    eventTime,
    element_at(requestParameters, 'ipPermissions') AS securityGroupRule,
    userIdentity.arn AS user,
    sourceIPAddress,    
    eventSource
FROM
    $EDS_ID
WHERE
    eventTime >= '2023-07-06 00:00:00'
    AND eventTime <= '2023-07-08 00:00:00'
    AND eventName = 'AuthorizeSecurityGroupIngress'     

UNION ALL

-- This part of the query returns ModifySecurityGroupRulesRequest events
SELECT
    json_extract_scalar(element_at(requestParameters, 'ModifySecurityGroupRulesRequest'), '$.GroupId') securityGroup,
    eventName,
    eventTime,
    element_at(requestParameters, 'ModifySecurityGroupRulesRequest') securityGroupRule,
    userIdentity.arn AS user,
    sourceIPAddress,    
    eventSource
FROM
    $EDS_ID
WHERE
	eventTime >= '2023-07-06 00:00:00'
    AND eventTime <= '2023-07-09 00:00:00'
	AND eventName = 'ModifySecurityGroupRules'
ORDER BY securityGroup,
    eventTime
