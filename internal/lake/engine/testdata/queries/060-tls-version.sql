-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/tls-version.sql
-- title: tls-version
-- kind: ok
-- note: the published eventTime window is empty (start = end), so it returns no rows on any data
-- columns: ["eventName", "awsRegion", "sourceIPAddress", "recipientAccountId", "tlsversion"]
-- expect: []

SELECT
    eventName,  awsRegion,  sourceIPAddress,  recipientAccountId,  tlsDetails.tlsversion
FROM
    $EDS_ID
WHERE
    eventTime > '2022-01-01 00:00:00' 
    AND eventTime < '2022-01-01 00:00:00' 
    AND tlsDetails.tlsversion != 'TLSv1.3'
