-- source: https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/console-login-with-no-mfa.sql
-- title: console-login-with-no-mfa
-- kind: ok
-- note: SELECT *: the row count is checked
-- columns: *
-- expect: unverified
-- rows: 2

SELECT
    *
FROM
    $EDS_ID 
WHERE
    eventsource = 'signin.amazonaws.com'  
    AND eventname = 'ConsoleLogin'  
    AND Element_at(additionaleventdata, 'MFAUsed' 
    ) = 'No'
