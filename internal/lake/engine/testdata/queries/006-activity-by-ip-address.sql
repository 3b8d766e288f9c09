-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/activity-performed-by-IP-address.sql
-- title: activity-performed-by-IP-address
-- kind: ok
-- columns: ["accountid"]
-- order: any
-- expect: [["111122223333"], ["444455556666"]]

SELECT useridentity.accountid 
FROM $EDS_ID 
WHERE sourceIPAddress = '192.0.2.76'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00' 
AND useridentity.accountid != '555555555555' 
GROUP by useridentity.accountid;
