-- source: https://github.com/awsdocs/aws-cloudtrail-user-guide/blob/d5b03544e850663eaefc9d1e7a73783491bb6986/doc_source/query-create-edit-query.md
-- title: Create or edit a query (the edited sample query)
-- kind: ok
-- columns: ["principalId", "_col1"]
-- order: any
-- expect: [["AROAEXAMPLECONSOLE01:Alice", "2"]]

SELECT
     userIdentity.principalId, count(*)
FROM
     $EDS_ID
WHERE
     userIdentity.principalId LIKE '%Alice%'
     AND eventName = 'ConsoleLogin'
GROUP BY
     userIdentity.principalId
