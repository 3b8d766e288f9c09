-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/ec2-public-security-group.sql
-- title: ec2-public-security-group
-- kind: ok
-- columns: ["eventName", "user", "sourceIPAddress", "eventTime", "eventSource", "securityGroup", "securityGroupRule"]
-- expect: [["ModifySecurityGroupRules", "arn:aws:iam::111122223333:user/bob", "192.0.2.10", "2023-07-08 12:00:00.000", "ec2.amazonaws.com", "sg-0public", "{\"GroupId\":\"sg-0public\",\"SecurityGroupRule\":{\"SecurityGroupRule\":{\"CidrIpv4\":\"0.0.0.0/0\",\"FromPort\":443,\"IpProtocol\":\"tcp\",\"ToPort\":443},\"SecurityGroupRuleId\":\"sgr-0abc\"}}"], ["AuthorizeSecurityGroupIngress", "arn:aws:iam::111122223333:user/bob", "192.0.2.10", "2023-07-06 12:00:00.000", "ec2.amazonaws.com", "sg-0public", "{\"items\":[{\"fromPort\":22,\"ipProtocol\":\"tcp\",\"ipRanges\":{\"items\":[{\"cidrIp\":\"0.0.0.0/0\"}]},\"toPort\":22}]}"]]

-- This part of the query returns AuthorizeSecurityGroupIngress events
SELECT
    eventName,
    userIdentity.arn AS user,
    sourceIPAddress,
    eventTime,
    eventSource,
    element_at(requestParameters, 'groupId') AS securityGroup,
    element_at(requestParameters, 'ipPermissions') AS securityGroupRule
FROM
    $EDS_ID
WHERE
    eventTime >= '2023-07-06 00:00:00'
    AND eventTime <= '2023-07-08 00:00:00'
    AND eventName = 'AuthorizeSecurityGroupIngress'    
    AND element_at(requestParameters, 'ipPermissions') LIKE '%0.0.0.0/0%' -- this filter is used to find security group changes with public rules.

UNION ALL

-- This part of the query returns ModifySecurityGroupRulesRequest events
SELECT
    eventName,
    userIdentity.arn AS user,
    sourceIPAddress,
    eventTime,
    eventSource,
    json_extract_scalar(element_at(requestParameters, 'ModifySecurityGroupRulesRequest'), '$.GroupId') securityGroup,
    element_at(requestParameters, 'ModifySecurityGroupRulesRequest') securityGroupRule    
FROM
    $EDS_ID
WHERE
	eventTime >= '2023-07-06 00:00:00'
    AND eventTime <= '2023-07-09 00:00:00'
	AND eventName = 'ModifySecurityGroupRules'
    AND element_at(requestParameters, 'ModifySecurityGroupRulesRequest') LIKE '%0.0.0.0/0%'  -- this filter is used to find security group changes with public rules.
ORDER
    BY eventTime DESC
