-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/user-added-to-admin-group.sql
-- title: user-added-to-admin-group
-- kind: ok
-- columns: ["principalid", "eventName", "eventTime", "username", "groupname"]
-- order: any
-- expect: [["111122223333", "AddUserToGroup", "2022-05-20 13:00:00.000", "carol", "admins"]]

SELECT
    userIdentity.principalid, eventName, eventTime, element_at(requestParameters,'userName'  
    ) AS username, element_at(requestParameters,'groupName'  
    ) AS groupname
FROM
    $EDS_ID
WHERE
    eventTime > '2022-04-30 00:00:00'  
    AND eventTime < '2022-11-01 00:00:00'  
    AND eventName = 'AddUserToGroup'  
    AND element_at(requestParameters,'groupName'  
    ) like '%admin%'
