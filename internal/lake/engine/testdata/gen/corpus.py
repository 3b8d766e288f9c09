"""The corpus: every published query, its kind, and a SQLite rendering of what it must return on the fixture.

COMMUNITY_DIR names a checkout of github.com/aws-samples/cloud-trail-lake-query-samples at the commit in CS_URL;
the community queries are read from it, the documentation queries are quoted below."""
import os, re, urllib.parse

CS_DIR = os.environ.get("COMMUNITY_DIR", "cloud-trail-lake-query-samples") + "/"
CS_URL = "https://github.com/aws-samples/cloud-trail-lake-query-samples/blob/bf9dafca6cd8c8d089dd41e4886eedb71144f62e/"
ARCH = "https://github.com/awsdocs/aws-cloudtrail-user-guide/blob/d5b03544e850663eaefc9d1e7a73783491bb6986/doc_source/"
LIVE = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/"

TS = "eventtime || '.000'"


def community_sql(fname):
    text = open(CS_DIR + fname, encoding="utf-8").read().replace("\r\n", "\n")
    # drop the leading prose comment blocks (not part of the query)
    while True:
        s = text.lstrip()
        if s.startswith("/*"):
            text = s[s.index("*/") + 2:]
        else:
            break
    return text.strip("\n")


def norm(sql, ids):
    for i in ids:
        sql = sql.replace(i, "$EDS_ID")
    return sql


E = []  # entries


def add(name, src, title, kind, sql, **kw):
    E.append(dict(name=name, src=src, title=title, kind=kind, sql=sql, **kw))


def cs(name, fname, kind, **kw):
    sql = community_sql(fname)
    sql = re.sub(r"(?i)(FROM\s+)(<EDS ID>|<event_data_store_id>|<event-data-store-ID>|<EDS_ID>|<Event data store Id>)",
                 lambda m: m.group(1) + "$EDS_ID", sql)
    sql = re.sub(r"(?i)(FROM\s+FROM\s+)<EDS ID>", lambda m: m.group(1) + "$EDS_ID", sql)
    add(name, CS_URL + urllib.parse.quote(fname), fname[:-4], kind, sql, **kw)


W23 = "eventtime > '2023-01-01 00:00:00' AND eventtime < '2023-01-07 00:00:00'"
EMPTY = "the published eventTime window is empty (start = end), so it returns no rows on any data"

# ------------------------------------------------------------------ community collection
cs("config-item-count-athena", "ConfigItemCountQuery.sql", "malformed",
   note="an Athena query over a Glue table (default.awsconfig, \"$path\"), not over an event data store")
cs("config-table-creation-athena", "ConfigTableCreation.sql", "malformed",
   note="Athena DDL (CREATE EXTERNAL TABLE), not a SELECT")
cs("estimate-config-items", "EstimateAmountOfConfigurationItems.sql", "ok",
   cols=["recipientAccountId", "awsRegion", "eventSource", "TotalPossibleCI"],
   q="""SELECT recipientaccountid, awsregion, eventsource, count(*) FROM ev WHERE
     (eventsource like 'eks%' or eventsource like 'ec2%' or eventsource like 'vpc%' or eventsource like 'ecs%'
      or eventsource like 'iam%' or eventsource like 'autoscaling%' or eventsource like 's3%' or eventsource like 'rds%'
      or eventsource like 'backup%' or eventsource like 'athena%' or eventsource like 'cloudtrail%'
      or eventsource like 'cloudfront%' or eventsource like 'cloudformation%' or eventsource like 'code%'
      or eventsource like 'ecr%' or eventsource like 'lambda%' or eventsource like 'efs%')
     and readonly=0 and managementevent=1 and eventtime > '2023-10-01 00:00:00' and eventtime < '2023-10-30 00:00:00'
     GROUP BY 1,2,3 ORDER BY recipientaccountid DESC, 4 DESC""")
cs("most-evaluated-config-rule", "MostEvaluatedConfigRule.sql", "ok",
   cols=["TotalEvents", "datestamp", "awsRegion", "recipientAccountId", "configRuleName", "configRuleArn"],
   q="""SELECT count(*), substr(eventtime,1,10), awsregion, recipientaccountid, ea(aed,'configRuleName'), ea(aed,'configRuleArn')
     FROM ev WHERE eventname='PutEvaluations' AND eventtime > '2022-11-01 00:00:00' AND eventtime < '2022-11-22 00:00:00'
     GROUP BY substr(eventtime,1,10), awsregion, recipientaccountid, aed ORDER BY 2 DESC, 1 DESC, recipientaccountid""",
   note="groups by the additionalEventData map itself")
cs("self-assume-role", "SelfAssumeRole.sql", "ok", order_any=True,
   cols=["eventid", "eventtime", "RoleARN", "RoleIdColonRoleSessionName"],
   q=f"""SELECT eventid, {TS}, si_arn, uid_principalid FROM ev WHERE eventsource='sts.amazonaws.com'
     AND eventname='AssumeRole' AND uid_type='AssumedRole' AND errorcode IS NULL
     AND si_arn = json_extract(resources,'$[0].ARN')""")
cs("activity-by-ip-address", "activity-performed-by-IP-address.sql", "ok", order_any=True,
   cols=["accountid"],
   q=f"""SELECT uid_accountid FROM ev WHERE sourceipaddress='192.0.2.76' AND {W23}
     AND uid_accountid != '555555555555' GROUP BY uid_accountid""")
cs("aurora-performance-insights", "aurora-databases-with-performance-insights.sql", "ok", order_any=True,
   cols=["DBInstance", "Engine", "DBEngineVersion"],
   q="""SELECT ea(rp,'dBInstanceIdentifier'), ea(rp,'engine'), ea(rp,'engineVersion') FROM ev
     WHERE ea(rp,'engine')='aurora-postgresql' AND eventname='CreateDBInstance' AND ea(rp,'enablePerformanceInsights')='true'""",
   note="the boolean request parameter enablePerformanceInsights is the map value 'true'")
cs("aurora-mysql-instance-class", "aurora-mysql-databases-with-instance-class-information.sql", "ok", order_any=True,
   cols=["DBInstance", "InstanceClass", "Engine", "DateTime"],
   q=f"""SELECT ea(rp,'dBInstanceIdentifier'), ea(rp,'dBInstanceClass'), ea(rp,'engine'), {TS} FROM ev
     WHERE ea(rp,'engine')='aurora-mysql' AND eventname='CreateDBInstance' AND eventtime >= '2022-01-01 00:00:00'""")
cs("aurora-postgresql-availability-zone", "aurora-postgresql-databases-with availability-zone-information.sql", "ok",
   order_any=True, cols=["DBInstance", "Engine", "DBEngineVersion", "AvailabilityZone"],
   q="""SELECT ea(rp,'dBInstanceIdentifier'), ea(rp,'engine'), ea(rp,'engineVersion'), ea(rp,'availabilityZone') FROM ev
     WHERE ea(rp,'engine')='aurora-postgresql' AND eventname='CreateDBInstance'
     AND eventtime >= '2021-01-01 00:00:00' AND eventtime < '2022-01-01 00:00:00'""")
cs("aws-support-access", "aws-support-access.sql", "ok", unverified=True,
   cols=["eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "userIdtype",
         "ressourceAccountID", "ressourceARN", "eventType", "eventCategory", "managementEvent",
         "recipientAccountId", "requestParameters", "responseElements"],
   rq="SELECT count(*) FROM ev WHERE eventsource='sts.amazonaws.com' AND useragent='support.amazonaws.com'",
   note="selects the requestParameters and responseElements maps, whose text form is not verified against AWS")
cs("cloudtrail-configuration-changes", "cloudtrail-configuration-changes.sql", "ok",
   cols=["eventName", "_col1", "principalid", "eventTime"], q=None, note=EMPTY)
cs("console-login-without-mfa", "console-login-with-no-mfa.sql", "ok", unverified=True, cols=["*"],
   rq="""SELECT count(*) FROM ev WHERE eventsource='signin.amazonaws.com' AND eventname='ConsoleLogin'
     AND ea(aed,'MFAUsed')='No'""", note="SELECT *: the row count is checked")
cs("cross-account-access", "cross-account-access.sql", "ok", unverified=True,
   cols=["principalid", "eventName", "eventSource", "accountId", "recipientAccountId", "requestParameters", "eventTime"],
   rq="""SELECT count(*) FROM ev WHERE eventtime > '2022-04-30 00:00:00' AND eventtime < '2022-06-01 00:00:00'
     AND uid_accountid != recipientaccountid""",
   note="selects the requestParameters map, whose text form is not verified against AWS")
cs("data-events-by-weekday", "data-by-week-day.sql", "ok", cols=["weekday", "eventCount"], q=None,
   note=EMPTY + "; day_of_week is Trino's ISO day (Monday = 1)")
cs("database-failover", "database-failover-information.sql", "ok", order_any=True,
   cols=["AWSRegion", "DBCluster", "UserName", "FailoverTime"],
   q=f"""SELECT awsregion, ea(rp,'dBClusterIdentifier'), si_username, {TS} FROM ev WHERE eventname='FailoverDBCluster'""")
cs("database-reboots", "database-reboot-information.sql", "ok",
   cols=["DBInstance", "UserName", "RebootTime"],
   q=f"""SELECT ea(rp,'dBInstanceIdentifier'), si_username, {TS} FROM ev WHERE eventname='RebootDBInstance'
     ORDER BY eventtime DESC""")
cs("db-cluster-point-in-time-restore", "db-cluster-point-in-time-restore.sql", "ok", order_any=True,
   cols=["Source", "Target", "UserName", "RestoreTime"],
   q=f"""SELECT ea(rp,'sourceDBClusterIdentifier'), ea(rp,'dBClusterIdentifier'), si_username, {TS} FROM ev
     WHERE eventname='RestoreDBClusterToPointInTime'""")
cs("dynamodb-scan", "dynamodb-scan-operations.sql", "ok", cols=["*"], q=None,
   note="compares eventname with 'scan'; the fixture's DynamoDB event is 'Scan' and string comparison is case-sensitive, so no rows")
cs("ec2-run-instances", "ec2-api-run-instances.sql", "ok", order_any=True,
   cols=["recipientAccountId", "awsRegion", "eventID", "instances"],
   q=f"""SELECT recipientaccountid, awsregion, eventid, ea(re,'instancesSet') FROM ev WHERE eventname='RunInstances' AND {W23}""",
   note="a nested responseElements value is the JSON text of the record's value")
cs("ec2-events", "ec2-events.sql", "ok", unverified=True, cols=["*"],
   rq="""SELECT count(*) FROM ev WHERE eventname IN ('AssociateAddress', 'DisassociateAddress', 'CancelReservedInstancesListing',
     'CancelSpotInstanceRequests', 'CreateNetworkAcl', 'DeleteNetworkAcl', 'CreateNetworkAclEntry', '''CreateVpc',
     'DeleteVpcPeeringConnection', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'DetachInternetGateway',
     'PurchaseReservedInstancesOffering', 'ModifyReservedInstances', 'AcceptVpcPeeringConnection',
     'RejectVpcPeeringConnection', 'CreateVpcPeeringConnection')""",
   note="SELECT *: the row count is checked; the published list has the literal '''CreateVpc' (the string 'CreateVpc with a quote), so CreateVpc is not matched")
cs("ec2-public-security-groups", "ec2-public-security-group.sql", "ok",
   cols=["eventName", "user", "sourceIPAddress", "eventTime", "eventSource", "securityGroup", "securityGroupRule"],
   q=f"""SELECT * FROM (
     SELECT eventname, uid_arn, sourceipaddress, {TS} AS t, eventsource, ea(rp,'groupId'), ea(rp,'ipPermissions') FROM ev
     WHERE eventtime >= '2023-07-06 00:00:00' AND eventtime <= '2023-07-08 00:00:00' AND eventname='AuthorizeSecurityGroupIngress'
       AND ea(rp,'ipPermissions') LIKE '%0.0.0.0/0%'
     UNION ALL
     SELECT eventname, uid_arn, sourceipaddress, {TS}, eventsource, jes(ea(rp,'ModifySecurityGroupRulesRequest'),'$.GroupId'),
       ea(rp,'ModifySecurityGroupRulesRequest') FROM ev
     WHERE eventtime >= '2023-07-06 00:00:00' AND eventtime <= '2023-07-09 00:00:00' AND eventname='ModifySecurityGroupRules'
       AND ea(rp,'ModifySecurityGroupRulesRequest') LIKE '%0.0.0.0/0%') ORDER BY t DESC""")
cs("ec2-security-group-history", "ec2-security-historical-changes.sql", "ok",
   cols=["securityGroup", "eventName", "eventTime", "securityGroupRule", "user", "sourceIPAddress", "eventSource"],
   q=f"""SELECT * FROM (
     SELECT ea(rp,'groupId') AS g, eventname, {TS} AS t, ea(rp,'ipPermissions'), uid_arn, sourceipaddress, eventsource FROM ev
     WHERE eventtime >= '2023-07-06 00:00:00' AND eventtime <= '2023-07-08 00:00:00' AND eventname='AuthorizeSecurityGroupIngress'
     UNION ALL
     SELECT jes(ea(rp,'ModifySecurityGroupRulesRequest'),'$.GroupId'), eventname, {TS}, ea(rp,'ModifySecurityGroupRulesRequest'),
       uid_arn, sourceipaddress, eventsource FROM ev
     WHERE eventtime >= '2023-07-06 00:00:00' AND eventtime <= '2023-07-09 00:00:00' AND eventname='ModifySecurityGroupRules')
     ORDER BY g, t""")
cs("response-elements-by-event-id", "event-response-element-by-event-id.sql", "ok", unverified=True,
   cols=["responseElements"],
   rq="SELECT count(*) FROM ev WHERE eventid='3270e016-59a1-4448-8dd1-d27a4796502d'",
   note="selects the responseElements map, whose text form is not verified against AWS")
cs("snapshots-not-encrypted", "find-snapshots-not-encrypted.sql", "ok", unverified=True,
   cols=["principalid", "awsRegion", "volume", "Instance", "snapshotID"],
   rq="""SELECT count(*) FROM ev WHERE eventname LIKE '%CreateSnapshots%' OR (eventname LIKE '%CreateSnapshot'
     AND ea(re,'encrypted')='false' AND eventtime < '2022-01-01 00:00:00' AND eventtime > '2022-11-11 00:00:00')""",
   note="AND binds tighter than OR, so every CreateSnapshots event matches whatever its time; Instance is a JSON value (json_extract), whose text form is not verified against AWS")
cs("iam-access-key-activity", "iam-access-key-activity.sql", "ok",
   cols=["eventSource", "eventName", "sourceIPAddress", "eventTime", "errorCode"],
   q=f"""SELECT eventsource, eventname, sourceipaddress, {TS}, errorcode FROM ev
     WHERE uid_accesskeyid='AKIAIOSFODNN7EXAMPLE' AND {W23} ORDER BY eventtime""")
cs("iam-access-key-successful-activity", "iam-access-key-success-activity.sql", "ok", order_any=True,
   cols=["NumberEvents", "eventSource", "eventName"],
   q=f"""SELECT count(*), eventsource, eventname FROM ev WHERE {W23} AND uid_accesskeyid='AKIAIOSFODNN7EXAMPLE'
     AND errorcode IS NULL GROUP BY eventsource, eventname ORDER BY 1 DESC""",
   note="all counts tie, so the order is not checked")
cs("idc-authenticate", "iam-idc-authenticate-api.sql", "malformed", note="FROM FROM")
cs("idc-federate-by-user", "iam-idc-federate-api-by-idc-user.sql", "ok", order_any=True,
   cols=["AccountID", "SSORole", "eventID", "eventTime"],
   q=f"""SELECT ea(sed,'account_id'), ea(sed,'role_name'), eventid, {TS} FROM ev WHERE eventsource='sso.amazonaws.com'
     AND eventname='Federate' AND uid_username='alice@example.com' AND {W23}""")
cs("idc-user-activity-count", "iam-idc-user-count-and-group-activity.sql", "ok", order_any=True,
   cols=["eventSource", "eventName", "apiCount"],
   q=f"""SELECT eventsource, eventname, count(*) FROM ev WHERE uid_principalid LIKE '%alice@example.com' AND {W23}
     GROUP BY eventsource, eventname ORDER BY 3 DESC""", note="all counts tie, so the order is not checked")
cs("idc-user-create-role", "iam-idc-user-create-iam-role.sql", "ok", order_any=True,
   cols=["recipientAccountId", "awsRegion", "eventID", "eventTime", "errorCode", "errorMessage"],
   q=f"""SELECT recipientaccountid, awsregion, eventid, {TS}, errorcode, errormessage FROM ev
     WHERE uid_principalid LIKE '%alice@example.com' AND eventname='CreateRole' AND {W23}""")
cs("idc-user-create-access-key", "iam-idc-user-create-iam-user-acces-keys.sql", "ok", order_any=True,
   cols=["recipientAccountId", "awsRegion", "eventID", "eventTime", "errorCode", "errorMessage"],
   q=f"""SELECT recipientaccountid, awsregion, eventid, {TS}, errorcode, errormessage FROM ev
     WHERE uid_principalid LIKE '%alice@example.com' AND eventname='CreateAccessKey' AND {W23}""")
cs("idc-user-create-user", "iam-idc-user-create-iam-user.sql", "ok", order_any=True,
   cols=["recipientAccountId", "awsRegion", "eventID", "eventTime", "userInfo"],
   q=f"""SELECT recipientaccountid, awsregion, eventid, {TS}, ea(re,'user') FROM ev
     WHERE uid_principalid LIKE '%alice@example.com' AND eventname='CreateUser' AND {W23}""",
   note="a nested responseElements value is the JSON text of the record's value")
cs("idc-user-denied-activity", "iam-idc-user-denied-activity.sql", "ok", order_any=True,
   cols=["recipientAccountId", "awsRegion", "eventSource", "eventName", "readOnly", "errorCode", "errorMessage", "eventTime", "eventID"],
   q=f"""SELECT recipientaccountid, awsregion, eventsource, eventname, CASE readonly WHEN 1 THEN 'true' ELSE 'false' END,
     errorcode, errormessage, {TS}, eventid FROM ev WHERE uid_principalid LIKE '%alice@example.com'
     AND (errorcode='AccessDenied' OR errorcode LIKE '%Unauthorized%') AND {W23}""")
cs("idc-user-put-role-policy", "iam-idc-user-modify-iam-policy.sql", "ok", order_any=True,
   cols=["recipientAccountId", "eventID", "eventTime", "roleName", "policyDocument"],
   q=f"""SELECT recipientaccountid, eventid, {TS}, ea(rp,'roleName'), ea(rp,'policyDocument') FROM ev
     WHERE uid_principalid LIKE '%alice@example.com' AND eventname='PutRolePolicy' AND {W23}""")
cs("idc-user-mutable-actions", "iam-idc-user-mutable-actions.sql", "ok", order_any=True,
   cols=["eventSource", "eventName", "eventTime", "eventID", "errorCode"],
   q=f"""SELECT eventsource, eventname, {TS}, eventid, errorcode FROM ev WHERE uid_principalid LIKE '%alice@example.com'
     AND readonly=0 AND {W23}""")
cs("principal-by-launched-instance", "iam-principal-by-launched-ec2-instance-id.sql", "ok", order_any=True,
   cols=["principalid", "eventName", "eventTime", "recipientAccountId", "awsRegion"],
   q=f"""SELECT uid_principalid, eventname, {TS}, recipientaccountid, awsregion FROM ev WHERE re IS NOT NULL
     AND ea(re,'instancesSet') LIKE '%"instanceId":"i-b188560f"%' AND {W23} AND eventname='RunInstances'""",
   note="matches the compact JSON text of a nested responseElements value")
cs("iam-role-activity", "iam-role-activity.sql", "ok", order_any=True,
   cols=["eventSource", "eventName", "eventTime", "eventID", "errorCode"],
   q=f"""SELECT eventsource, eventname, {TS}, eventid, errorcode FROM ev WHERE {W23} AND uid_type='AssumedRole'
     AND si_arn='arn:aws:iam::555555555555:role/alice'""")
cs("role-assumed-by-access-key", "iam-role-assumed-by-iam-access-key.sql", "ok", unverified=True,
   cols=["requestParameters", "responseElements"],
   rq=f"""SELECT count(*) FROM ev WHERE eventname='AssumeRole' AND {W23} AND uid_accesskeyid='AKIAIOSFODNN7EXAMPLE'""",
   note="selects the requestParameters and responseElements maps, whose text form is not verified against AWS")
cs("s3-put-object-encryption", "list-all-S3-PutObjects-Encryption-status.sql", "ok",
   cols=["recipientAccountId", "eventTime", "S3BUCKET", "S3OBJECT", "ReqENCRYPTION", "RespENCRYPTION"],
   q=f"""SELECT recipientaccountid, {TS}, ea(rp,'bucketName'), ea(rp,'key'), ea(rp,'x-amz-server-side-encryption'),
     ea(re,'x-amz-server-side-encryption') FROM ev WHERE eventname='PutObject' ORDER BY eventtime DESC""")
cs("s3-errors", "list-all-errors-for-s3-events.sql", "malformed",
   note="the published text runs into a second copy of itself ('s3.amazonaws.com'example: select ...)")
cs("all-events-flattened", "list-all-events-in-a-flatten-table-format.sql", "template",
   note="'${date_filter}' must be replaced by a timestamp")
cs("events-not-in-authorized-region", "list-all-events-not-in-authorized-region.sql", "malformed",
   note="the published text runs into a second copy of itself ('<accountid>': select ...) and has <region>/<accountid> placeholders")
cs("manually-created-resources", "list-all-manually-created-resources.sql", "ok", unverified=True,
   cols=["user", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "requestParameters",
         "resources", "requestID", "eventID"],
   rq="""SELECT count(*) FROM ev WHERE (eventname LIKE '%Create%' OR eventname LIKE '%Update%' OR eventname LIKE '%Put%'
     OR eventname LIKE '%Delete%') AND resources IS NOT NULL AND si_username NOT LIKE 'AWSServiceRole%'
     AND si_username NOT IN ('') AND sourceipaddress != 'cloudformation.amazonaws.com'""",
   note="selects the userIdentity row, the requestParameters map and the resources array, whose text forms are not verified against AWS; events without a session issuer drop out (NULL NOT LIKE ...)")
cs("attempted-s3-requests", "list-attempted-s3-requests..sql", "malformed",
   note="'requestParametersORDER BY' (a missing space) is not valid SQL")
cs("events-with-errors", "list-events-with-errors.sql", "ok",
   cols=["arn", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "errorCode",
         "errorMessage", "requestParameters", "readOnly", "resources", "recipientAccountId", "tlsDetails"],
   q=None, note=EMPTY)
cs("public-rds-instances", "list-publicly-accessible-rds-instances.sql", "malformed",
   note="two copies of the statement run together ('true'SELECT)")
cs("console-write-events", "list-write-events-from-management-console.sql", "ok",
   cols=["arn", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
         "requestParameters", "readOnly", "recipientAccountId", "sessionCredentialFromConsole"],
   q=None, note=EMPTY + "; the schema types sessionCredentialFromConsole as a string, compared here with the boolean true")
cs("logs-by-region", "logs-by-region.sql", "ok",
   cols=["awsRegion", "eventSource", "apiCount"],
   q="""SELECT awsregion, eventsource, count(*) FROM ev WHERE eventtime > '2022-04-23 00:00:00'
     AND eventtime < '2022-11-26 00:00:00' GROUP BY awsregion, eventsource ORDER BY 3 DESC""")
cs("vpce-access-denied-s3", "network-activity-events-vpce-access-denied-s3.sql", "template",
   note="'${date_filter}' must be replaced by a timestamp; also selects userIdentity.username, eventType and eventCategory, which are not grouped")
cs("vpce-access-denied-secrets-manager", "network-activity-events-vpce-access-denied-secrets-manager.sql", "template",
   note="'${date_filter}' must be replaced by a timestamp")
cs("vpce-access-denied", "network-activity-events-vpce-access-denied.sql", "template",
   note="'${date_filter}' must be replaced by a timestamp")
cs("network-activity-events", "network-activity-events.sql", "template",
   note="'${date_filter}' must be replaced by a timestamp")
cs("rds-deleted-without-snapshot", "rds-db-deleted-with-no-snapshot.sql", "ok", order_any=True,
   cols=["DBCluster", "UserName", "DeletedTime"],
   q=f"""SELECT ea(rp,'dBClusterIdentifier'), si_username, {TS} FROM ev WHERE eventname='DeleteDBCluster'
     AND ea(rp,'skipFinalSnapshot')='true'""")
cs("config-resource-compliance", "resourceCompliance.sql", "ok", order_any=True,
   cols=["eventTime", "awsRegion", "recipientAccountId", "configRuleName", "Compliance", "ResourceType", "ResourceName"],
   q=f"""SELECT {TS}, awsregion, recipientaccountid, ea(aed,'configRuleName'),
     jes(jag(ea(rp,'evaluations'),0),'$.complianceType'), jes(jag(ea(rp,'evaluations'),0),'$.complianceResourceType'),
     jes(jag(ea(rp,'evaluations'),0),'$.complianceResourceId') FROM ev WHERE eventname='PutEvaluations'
     AND eventtime > '2023-11-16 00:00:00' AND eventtime < '2023-11-17 00:00:00'
     AND jes(jag(ea(rp,'evaluations'),0),'$.complianceType') IN ('COMPLIANT','NON_COMPLIANT')""")
cs("s3-actions-by-access-key", "s3-actions-by-iam-access-key.sql", "ok", order_any=True,
   cols=["BucketName", "ObjectName", "eventName"],
   q=f"""SELECT ea(rp,'bucketName'), ea(rp,'key'), eventname FROM ev WHERE eventname IN ('CopyObject','DeleteObject',
     'DeleteObjects','GetObject','HeadObject','PutObject') AND {W23} AND uid_accesskeyid='AKIAIOSFODNN7EXAMPLE'""")
cs("s3-public-access-block-history", "s3-buckets-public-access-block-historical-changes.sql", "ok", unverified=True,
   cols=["bucketName", "restrictPublicBuckets", "blockPublicPolicy", "publicAccessBlockConfiguration", "eventName",
         "eventTime", "requestParameters", "user", "responseElements"],
   rq="""SELECT count(*) FROM ev WHERE eventtime >= '2023-07-07 00:00:00' AND eventsource='s3.amazonaws.com'
     AND ea(rp,'bucketName')='demo-20230707' AND eventname IN ('PutPublicAccessBlock','DeletePublicAccessBlock','PutBucketPublicAccessBlock')""",
   note="selects the requestParameters and responseElements maps, whose text form is not verified against AWS")
cs("s3-buckets-using-acls", "s3-buckets-using-acls.sql", "ok",
   cols=["Bucket", "Region", "AccountID"],
   q="""SELECT DISTINCT ea(rp,'bucketName'), awsregion, recipientaccountid FROM ev WHERE ea(aed,'aclRequired')='Yes'
     ORDER BY recipientaccountid, awsregion""")
cs("tag-history-by-resource", "tag-history-by-resource.sql", "ok",
   cols=["awsRegion", "eventSource", "resourceId", "eventTime", "eventName", "key", "value", "identityarn"],
   q=f"""SELECT awsregion, eventsource, jes(eventjson,'$.requestParameters.resourcesSet.items[0].resourceId') AS rid, {TS},
     eventname, jes(eventjson,'$.requestParameters.tagSet.items[0].key') AS k,
     jes(eventjson,'$.requestParameters.tagSet.items[0].value'), uid_arn FROM ev
     WHERE eventtime > '2022-01-01 00:00:00' AND eventname IN ('CreateTags','DeleteTags') ORDER BY rid, k, eventtime DESC""",
   note="reads the raw record through eventJson")
cs("tls-outdated-versions", "tls-unsupported-version.sql", "template",
   note="'${date_filter}' must be replaced by a timestamp")
cs("tls-version", "tls-version.sql", "ok",
   cols=["eventName", "awsRegion", "sourceIPAddress", "recipientAccountId", "tlsversion"], q=None, note=EMPTY)
cs("top-actions-by-iam-role", "top-actions-by-iam-role.sql", "ok",
   cols=["NumberEvents", "eventSource", "eventName"],
   q=f"""SELECT count(*), eventsource, eventname FROM ev WHERE {W23} AND uid_type='AssumedRole'
     AND si_arn='arn:aws:iam::555555555555:role/alice' GROUP BY eventsource, eventname ORDER BY 1 DESC""")
cs("top-errors", "top-errors.sql", "malformed",
   note="'errorMessageORDER BY eventCount DESCLIMIT 10' (missing spaces) is not valid SQL")
cs("top-iam-callers", "top-iam-actions-by-principal.sql", "ok", order_any=True,
   cols=["apiCount", "eventName", "recipientAccountId", "principalid"],
   q="""SELECT count(*), eventname, recipientaccountid, uid_principalid FROM ev WHERE uid_principalid IS NOT NULL
     AND eventtime >= '2022-01-08 00:00:00' AND eventsource='iam.amazonaws.com'
     GROUP BY eventname, recipientaccountid, uid_principalid ORDER BY 1 DESC""")
cs("top-s3-actions", "top-s3-actions.sql", "malformed",
   note="'eventNameORDER BY' (a missing space) is not valid SQL")
cs("top-s3-objects", "top-s3-objects.sql", "ok", cols=["bucketName", "key", "requestCount"], q=None,
   note=EMPTY + "; it groups by the requestParameters map and selects map elements")
cs("user-added-to-admin-group", "user-added-to-admin-group.sql", "ok", order_any=True,
   cols=["principalid", "eventName", "eventTime", "username", "groupname"],
   q=f"""SELECT uid_principalid, eventname, {TS}, ea(rp,'userName'), ea(rp,'groupName') FROM ev
     WHERE eventtime > '2022-04-30 00:00:00' AND eventtime < '2022-11-01 00:00:00' AND eventname='AddUserToGroup'
     AND ea(rp,'groupName') LIKE '%admin%'""")
cs("users-by-account", "users-by-account.sql", "ok", cols=["principalid", "accountId", "eventCount"], q=None, note=EMPTY)

# ------------------------------------------------------------------ AWS documentation
EX = ARCH + "query-lake-examples.md"
add("docs-createbucket-principals", EX,
    "Example: Find all principal user identities who called CreateBucket on January 22, 2023", "ok",
    """SELECT 
    userIdentity.principalid, 
    eventName 
FROM 
    event_data_store_ID
WHERE 
    userIdentity.principalid IS NOT NULL 
AND 
    eventTime > '2023-01-22 00:00:00' 
AND 
    eventTime < '2023-01-23 00:00:00' 
AND 
    eventName='CreateBucket'""", ids=["event_data_store_ID"], order_any=True,
    cols=["principalid", "eventName"],
    q="""SELECT uid_principalid, eventname FROM ev WHERE uid_principalid IS NOT NULL AND eventtime > '2023-01-22 00:00:00'
      AND eventtime < '2023-01-23 00:00:00' AND eventname='CreateBucket'""")
add("docs-apis-called-by-user", EX, "Example: Find all APIs that a user called on January 22, 2023", "ok",
    """SELECT 
    eventID, 
    eventName, 
    eventSource, 
    eventTime
FROM 
    event_data_store_ID
WHERE 
    userIdentity.username = 'bob' 
AND 
    eventTime > '2023-01-22 00:00:00' 
AND 
    eventTime < '2023-01-23 00:00:00'""", ids=["event_data_store_ID"], order_any=True,
    cols=["eventID", "eventName", "eventSource", "eventTime"],
    q=f"""SELECT eventid, eventname, eventsource, {TS} FROM ev WHERE uid_username='bob'
      AND eventtime > '2023-01-22 00:00:00' AND eventtime < '2023-01-23 00:00:00'""")
add("docs-api-counts-by-source", EX,
    "Example: Find the number of API calls since January 1, 2023, grouped by eventName and eventSource", "ok",
    """SELECT 
    eventSource, 
    eventName, 
    COUNT(*) AS apiCount
FROM 
    event_data_store_ID
WHERE 
    eventTime > '2023-01-01 00:00:00' 
GROUP BY 
    eventSource, eventName 
ORDER BY 
    apiCount DESC""", ids=["event_data_store_ID"], order_any=True,
    cols=["eventSource", "eventName", "apiCount"],
    q="""SELECT eventsource, eventname, count(*) FROM ev WHERE eventtime > '2023-01-01 00:00:00'
      GROUP BY eventsource, eventname ORDER BY 3 DESC""")
add("docs-console-logins-in-regions", EX, "Example: Find all users who signed in to the console in a set of Regions", "ok",
    """SELECT 
    eventTime, 
    useridentity.arn, 
    awsRegion
FROM 
    event_data_store_ID
WHERE 
    awsRegion in ('us-east-1', 'us-west-2') 
AND
    eventName = 'ConsoleLogin'""", ids=["event_data_store_ID"], order_any=True,
    cols=["eventTime", "arn", "awsRegion"],
    q=f"""SELECT {TS}, uid_arn, awsregion FROM ev WHERE awsregion IN ('us-east-1','us-west-2') AND eventname='ConsoleLogin'""")
add("docs-lake-queries-run", EX, "Example: Find all CloudTrail Lake queries that were run in January 2023", "ok",
    """SELECT 
    element_at(responseElements, 'queryId'), 
    element_at(requestParameters, 'queryStatement')
FROM 
    event_data_store_ID
WHERE 
    eventName='StartQuery' 
AND 
    eventSource = 'cloudtrail.amazonaws.com' 
AND 
    responseElements IS NOT NULL
AND 
    eventTime > '2023-01-01 00:00:00' 
AND 
    eventTime < '2023-02-01 00:00:00'""", ids=["event_data_store_ID"], order_any=True,
    cols=["_col0", "_col1"],
    q="""SELECT ea(re,'queryId'), ea(rp,'queryStatement') FROM ev WHERE eventname='StartQuery'
      AND eventsource='cloudtrail.amazonaws.com' AND re IS NOT NULL AND eventtime > '2023-01-01 00:00:00'
      AND eventtime < '2023-02-01 00:00:00'""")
add("docs-edited-sample-alice-logins", ARCH + "query-create-edit-query.md",
    "Create or edit a query (the edited sample query)", "ok",
    """SELECT
     userIdentity.principalId, count(*)
FROM
     5e2676f8-9fce-46ef-8142-3e36a94e6691
WHERE
     userIdentity.principalId LIKE '%Alice%'
     AND eventName = 'ConsoleLogin'
GROUP BY
     userIdentity.principalId""", ids=["5e2676f8-9fce-46ef-8142-3e36a94e6691"], order_any=True,
    cols=["principalId", "_col1"],
    q="""SELECT uid_principalid, count(*) FROM ev WHERE uid_principalid LIKE '%Alice%' AND eventname='ConsoleLogin'
      GROUP BY uid_principalid""")
add("docs-cli-start-query-limit", ARCH + "query-lake-cli.md", "Managing CloudTrail Lake by using the AWS CLI: Start a query", "ok",
    "SELECT eventID, eventTime FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE LIMIT 10",
    ids=["EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"], unverified=True, cols=["eventID", "eventTime"],
    rq="SELECT min(count(*), 10) FROM ev", note="LIMIT without ORDER BY: any 10 rows; the row count is checked")
add("docs-unbounded-query-window", LIVE + "cloudtrail-lake-queries.html", "CloudTrail Lake queries (eventTime-bounded example)",
    "malformed", """SELECT *
FROM eds-ID
WHERE
     eventtime >='2023-01-05 13:51:00' and eventtime < ='2023-01-19 13:51:00'""", ids=["eds-ID"],
    note="'< =' (a space inside the operator) is not valid SQL")
LIM = LIVE + "query-limitations.html"
add("docs-multi-store-union", LIM, "Advanced, multi-table query support: UNION|UNION ALL|EXCEPT|INTERSECT", "ok",
    """Select eventId, eventName from EDS1
UNION
Select eventId, eventName from EDS2
UNION ALL
Select eventId, eventName from EDS3
ORDER BY eventId LIMIT 10;""", ids=["EDS1", "EDS2", "EDS3"], cols=["eventId", "eventName"],
    q="""SELECT * FROM (SELECT eventid, eventname FROM ev UNION SELECT eventid, eventname FROM ev
      UNION ALL SELECT eventid, eventname FROM ev) ORDER BY 1 LIMIT 10""",
    note="the three stores are one store here; each of the first five event IDs appears twice")
add("docs-multi-store-left-join", LIM, "Advanced, multi-table query support: LEFT|RIGHT|INNER JOIN", "malformed",
    """SELECT edsA.eventName, edsB.eventName, element_at(edsA.map, 'test')
FROM eds1 as edsA
LEFT JOIN eds2 as edsB
ON edsA.eventId = edsB.eventId
WHERE edsA.eventtime <= '2020-01-01'
ORDER BY edsB.eventName;""", ids=["eds1", "eds2"],
    note="parses, but edsA.map names a column that no event data store schema has, so it cannot run")
OPT = LIVE + "lake-queries-optimization.html"
add("docs-optimize-arbitrary", OPT, "Optimize aggregations (arbitrary)", "ok",
    """SELECT eventName, eventSource, arbitrary(eventType), count(*)
FROM $EDS_ID
GROUP BY eventName, eventSource""", order_any=True, cols=["eventName", "eventSource", "_col2", "_col3"],
    q="SELECT eventname, eventsource, max(eventtype), count(*) FROM ev GROUP BY eventname, eventsource",
    note="each group has a single eventType, so arbitrary() is deterministic here")
add("docs-optimize-group-order", OPT, "Optimize aggregations (GROUP BY order)", "ok",
    """SELECT eventName, awsRegion, count(*)
FROM $EDS_ID
GROUP BY eventName, awsRegion""", order_any=True, cols=["eventName", "awsRegion", "_col2"],
    q="SELECT eventname, awsregion, count(*) FROM ev GROUP BY eventname, awsregion")
add("docs-optimize-limit", OPT, "Limit query results", "ok",
    """SELECT * FROM $EDS_ID
ORDER BY eventTime
LIMIT 100;""", unverified=True, cols=["*"], rq="SELECT min(count(*), 100) FROM ev",
    note="SELECT *: the row count is checked")
add("docs-optimize-max-by-alias", OPT, "Reduce window function scope (max_by)", "ok",
    """SELECT element_at(requestParameters, 'targetKeyId') as keyId,
max_by(element_at(requestParameters, 'aliasName'), eventTime) as mostRecentAlias
FROM $EDS_ID
WHERE eventsource = 'kms.amazonaws.com'
AND eventName in ('CreateAlias', 'UpdateAlias')
AND eventTime > DATE_ADD('week', -1, CURRENT_TIMESTAMP)
GROUP BY element_at(requestParameters, 'targetKeyId')""", order_any=True, cols=["keyId", "mostRecentAlias"],
    q="""SELECT k, (SELECT ea(rp,'aliasName') FROM ev e2 WHERE ea(e2.rp,'targetKeyId')=k AND e2.eventsource='kms.amazonaws.com'
      AND e2.eventname IN ('CreateAlias','UpdateAlias') ORDER BY e2.eventtime DESC LIMIT 1) FROM
      (SELECT DISTINCT ea(rp,'targetKeyId') AS k FROM ev WHERE eventsource='kms.amazonaws.com'
       AND eventname IN ('CreateAlias','UpdateAlias') AND eventtime > datetime('now','-7 days'))""",
    note="relative to the current time; the fixture's alias events are dated 2099 so that they are always within the last week")
GEN = LIVE + "lake-query-generator.html"
add("generator-top-errors", GEN, "Query generator prompt: What are my top errors in the past month?", "ok",
    """SELECT
    errorMessage,
    COUNT(*) as eventCount
FROM
    eds-id
WHERE
    errorMessage IS NOT NULL
AND eventTime >= timestamp '2024-05-01 00:00:00'
AND eventTime <= timestamp '2024-05-31 23:59:59'
GROUP BY 1
ORDER BY 2 DESC
LIMIT 2;""", ids=["eds-id"], cols=["errorMessage", "eventCount"],
    q="""SELECT errormessage, count(*) FROM ev WHERE errormessage IS NOT NULL AND eventtime >= '2024-05-01 00:00:00'
      AND eventtime <= '2024-05-31 23:59:59' GROUP BY 1 ORDER BY 2 DESC LIMIT 2""")
add("generator-sns-users", GEN, "Query generator prompt: Give me a list of users that used Amazon SNS.", "ok",
    """SELECT
    DISTINCT userIdentity.arn AS user
FROM
    eds-id
WHERE
    eventSource = 'sns.amazonaws.com'""", ids=["eds-id"], order_any=True, cols=["user"],
    q="SELECT DISTINCT uid_arn FROM ev WHERE eventsource='sns.amazonaws.com'")
add("generator-read-write-per-day", GEN,
    "Query generator prompt: What are my API counts each day for read and write events in the past month?", "ok",
    """SELECT date(eventTime) AS event_date,
    SUM(
        CASE
            WHEN readonly = true THEN 1
            ELSE 0
        END
    ) AS read_events,
    SUM(
        CASE
            WHEN readonly = false THEN 1
            ELSE 0
        END
    ) AS write_events
FROM
    eds-id
WHERE
    eventTime >= timestamp '2024-05-04 00:00:00'
AND eventTime <= timestamp '2024-06-04 23:59:59'
GROUP BY 1
ORDER BY 1 ASC;""", ids=["eds-id"], cols=["event_date", "read_events", "write_events"],
    q="""SELECT substr(eventtime,1,10), sum(readonly), sum(1-readonly) FROM ev WHERE eventtime >= '2024-05-04 00:00:00'
      AND eventtime <= '2024-06-04 23:59:59' GROUP BY 1 ORDER BY 1""")
add("generator-access-denied", GEN,
    "Query generator prompt: Show any events with access denied errors for the past three weeks.", "malformed",
    """SELECT *
FROM
  eds-id
WHERE
  WHERE (errorCode = 'AccessDenied' OR errorMessage = 'Access Denied')
AND eventTime >= timestamp '2024-05-16 01:00:00'
AND eventTime <= timestamp '2024-06-06 01:00:00'""", ids=["eds-id"], note="WHERE WHERE")
add("generator-calls-per-operator-tag", GEN,
    "Query generator prompt: Query the number of calls each operator performed on the date 2024-05-01. The operator is a principal tag.",
    "ok", """SELECT element_at(
        eventContext.tagContext.principalTags,
        'operator'
    ) AS operator,
    COUNT(*) AS eventCount
FROM
    eds-id
WHERE eventtime >= '2024-05-01 00:00:00'
    AND eventtime < '2024-05-01 23:59:59'
GROUP BY 1
ORDER BY 2 DESC;""", ids=["eds-id"], cols=["operator", "eventCount"],
    q="""SELECT json_extract(ectx,'$.tagContext.principalTags.operator'), count(*) FROM ev
      WHERE eventtime >= '2024-05-01 00:00:00' AND eventtime < '2024-05-01 23:59:59' GROUP BY 1 ORDER BY 2 DESC""",
    note="needs the eventContext column (tag context), which the published schema table does not list")
add("generator-cloudformation-stack-events", GEN,
    "Query generator prompt: Give me all event IDs that touched resources within the CloudFormation stack with name myStack on the date 2024-05-01.",
    "ok", """SELECT eventID
FROM
    eds-id
WHERE any_match(
        eventContext.tagcontext.resourcetags,
        rt->element_at(rt.tags, 'aws:cloudformation:stack-name') = 'myStack'
    )
    AND eventtime >= '2024-05-01 00:00:00'
    AND eventtime < '2024-05-01 23:59:59'""", ids=["eds-id"], order_any=True, cols=["eventID"],
    q="""SELECT eventid FROM ev WHERE EXISTS (SELECT 1 FROM json_each(json_extract(ectx,'$.tagContext.resourceTags')) t
      WHERE json_extract(t.value, '$.tags."aws:cloudformation:stack-name"')='myStack')
      AND eventtime >= '2024-05-01 00:00:00' AND eventtime < '2024-05-01 23:59:59'""",
    note="needs the eventContext column (tag context), which the published schema table does not list")
add("generator-events-by-solution-tag", GEN,
    "Query generator prompt: Count the number of events grouped by resource tag 'solution' values, listing them in descending order of count.",
    "ok", """SELECT element_at(rt.tags, 'solution'),
    count(*) as event_count
FROM
    eds-id,
    unnest(eventContext.tagContext.resourceTags) as rt
WHERE eventtime < '2025-05-14 19:00:00'
GROUP BY 1
ORDER BY 2 DESC;""", ids=["eds-id"], cols=["_col0", "event_count"],
    q="""SELECT json_extract(t.value,'$.tags.solution'), count(*) FROM ev, json_each(json_extract(ectx,'$.tagContext.resourceTags')) t
      WHERE eventtime < '2025-05-14 19:00:00' GROUP BY 1 ORDER BY 2 DESC""",
    note="needs the eventContext column (tag context), which the published schema table does not list; unnest of an array of rows exposes the row's fields (rt.tags)")
add("generator-s3-prod-data-events", GEN,
    "Query generator prompt: Find all Amazon S3 data events where resource tag Environment has value prod.", "ok",
    """SELECT *
FROM
    eds-id
WHERE eventCategory = 'Data'
    AND eventSource = 's3.amazonaws.com'
    AND eventtime >= '2025-05-14 00:00:00'
    AND eventtime < '2025-05-14 20:00:00'
    AND any_match(
        eventContext.tagContext.resourceTags,
        rt->element_at(rt.tags, 'Environment') = 'prod'
    )""", ids=["eds-id"], unverified=True, cols=["*"],
    rq="""SELECT count(*) FROM ev WHERE eventcategory='Data' AND eventsource='s3.amazonaws.com'
      AND eventtime >= '2025-05-14 00:00:00' AND eventtime < '2025-05-14 20:00:00'
      AND EXISTS (SELECT 1 FROM json_each(json_extract(ectx,'$.tagContext.resourceTags')) t
                  WHERE json_extract(t.value,'$.tags.Environment')='prod')""",
    note="SELECT *: the row count is checked; needs the eventContext column")
add("generator-cli-console-logins", GEN, "Query generator (AWS CLI): Show me all console login events for the past week?", "ok",
    "SELECT * FROM $EDS_ID WHERE eventname = 'ConsoleLogin' AND eventtime >= timestamp '2024-09-16 00:00:00' AND eventtime <= timestamp '2024-09-23 00:00:00' AND eventSource = 'signin.amazonaws.com'",
    unverified=True, cols=["*"],
    rq="""SELECT count(*) FROM ev WHERE eventname='ConsoleLogin' AND eventtime >= '2024-09-16 00:00:00'
      AND eventtime <= '2024-09-23 00:00:00' AND eventsource='signin.amazonaws.com'""",
    note="SELECT *: the row count is checked")
