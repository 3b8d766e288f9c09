"""Builds the CloudTrail Lake query-corpus fixture: one CloudTrail record per line (python3 fixture.py OUT)."""
import json, hashlib, uuid

A = "111122223333"   # main account
B = "444455556666"   # second account (cross-account caller, org member)
C = "555555555555"   # account of role/alice

def uid(n):
    h = hashlib.sha256(("keytrail-lake-fixture-%d" % n).encode()).hexdigest()
    return str(uuid.UUID(h[:32], version=4))

def root(acct=A):
    return {"type": "Root", "principalId": acct, "arn": "arn:aws:iam::%s:root" % acct,
            "accountId": acct, "accessKeyId": "ASIAEXAMPLEROOT0001"}

def user(name, pid, key, acct=A):
    return {"type": "IAMUser", "principalId": pid, "arn": "arn:aws:iam::%s:user/%s" % (acct, name),
            "accountId": acct, "accessKeyId": key, "userName": name}

def role(rolename, roleid, session, acct=A, key="ASIAEXAMPLESESSION01", created="2023-01-01T00:00:00Z"):
    return {"type": "AssumedRole", "principalId": "%s:%s" % (roleid, session),
            "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, rolename, session),
            "accountId": acct, "accessKeyId": key,
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": roleid,
                                                 "arn": "arn:aws:iam::%s:role/%s" % (acct, rolename),
                                                 "accountId": acct, "userName": rolename},
                               "attributes": {"creationDate": created, "mfaAuthenticated": "false"}}}

def service(name):
    return {"type": "AWSService", "invokedBy": name}

BOB = user("bob", "AIDAEXAMPLEBOB000001", "AKIAIOSFODNN7EXAMPLE")
DAVE = user("dave", "AIDAEXAMPLEDAVE00001", "AKIAEXAMPLEDAVE00001", acct=B)
CAROL = user("carol", "AIDAEXAMPLECAROL0001", "AKIAEXAMPLECAROL0001")
IDC = role("AWSReservedSSO_AdministratorAccess_0123456789abcdef", "AROAEXAMPLEIDC000001", "alice@example.com")
DBA = role("DBAdmin", "AROAEXAMPLEDBA000001", "dba-session")
RALICE = role("alice", "AROAEXAMPLEALICE0001", "alice-session", acct=C, key="ASIAEXAMPLEALICE0001")
CONSOLE = role("ConsoleAdmin", "AROAEXAMPLECONSOLE01", "Alice", key="ASIAEXAMPLECONSOLE01")
APPROLE = role("app-role", "AROAEXAMPLEAPPROLE01", "app-session", key="ASIAEXAMPLEAPPROLE01")
CONFIGROLE = role("AWSServiceRoleForConfig", "AROAEXAMPLECONFIG001", "AWSConfig-Describe", key="ASIAEXAMPLECONFIG001")
CT = service("cloudtrail.amazonaws.com")
SUPPORT = service("support.amazonaws.com")

KEY1 = "arn:aws:kms:us-east-1:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % A
KEY2 = "arn:aws:kms:eu-west-1:%s:key/0987dcba-09fe-87dc-65ba-ab0987654321" % A
EDS = "arn:aws:cloudtrail:us-east-1:%s:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE" % A

records = []

def ev(t, source, name, ident, region="us-east-1", ip="192.0.2.10", agent="aws-cli/2.15.0",
       rp=None, re=None, ro=False, res=None, mgmt=True, cat="Management", acct=A,
       err=None, msg=None, add=None, sed=None, ctx=None, tls="TLSv1.3", console=None, vpce=None, eid=None):
    n = len(records) + 1
    rp, re, add, sed = (sortdeep(x) for x in (rp, re, add, sed))
    r = {"eventVersion": "1.11", "userIdentity": ident, "eventTime": t, "eventSource": source,
         "eventName": name, "awsRegion": region, "sourceIPAddress": ip, "userAgent": agent}
    if err:
        r["errorCode"] = err
        r["errorMessage"] = msg
    r["requestParameters"] = rp
    r["responseElements"] = re
    if add is not None:
        r["additionalEventData"] = add
    r["requestID"] = uid(1000 + n)
    r["eventID"] = eid or uid(n)
    r["readOnly"] = ro
    if res:
        r["resources"] = res
    r["eventType"] = "AwsApiCall" if source != "signin.amazonaws.com" else "AwsConsoleSignIn"
    r["managementEvent"] = mgmt
    r["recipientAccountId"] = acct
    if sed is not None:
        r["serviceEventDetails"] = sed
    if vpce:
        r["vpcEndpointId"] = vpce
    r["eventCategory"] = cat
    if tls and source != "signin.amazonaws.com":
        r["tlsDetails"] = {"tlsVersion": tls, "cipherSuite": "TLS_AES_128_GCM_SHA256",
                           "clientProvidedHostHeader": source.replace(".amazonaws.com", "") + "." + region + ".amazonaws.com"}
    if console is not None:
        r["sessionCredentialFromConsole"] = console
    if ctx is not None:
        r["eventContext"] = ctx
    records.append(r)
    return r

def sortdeep(v):
    """Nested objects get their keys sorted, so that a serializer that keeps the record's key order and
    one that sorts keys render a nested value as the same compact JSON text."""
    if isinstance(v, dict):
        return {k: sortdeep(v[k]) for k in sorted(v)}
    if isinstance(v, list):
        return [sortdeep(x) for x in v]
    return v


def kres(arn, acct=A):
    return [{"accountId": acct, "type": "AWS::KMS::Key", "ARN": arn}]

def s3res(bucket, key=None, acct=A):
    out = []
    if key:
        out.append({"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::%s/%s" % (bucket, key)})
    out.append({"accountId": acct, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::%s" % bucket})
    return out

# ---- 2021-2022: RDS lifecycle ----------------------------------------------------------------
ev("2021-06-10T08:00:00Z", "rds.amazonaws.com", "CreateDBInstance", DBA,
   rp={"dBInstanceIdentifier": "pg-2021", "dBInstanceClass": "db.r5.large", "engine": "aurora-postgresql",
       "engineVersion": "12.7", "availabilityZone": "us-east-1a", "dBClusterIdentifier": "cluster-a",
       "publiclyAccessible": False},
   re={"dBInstanceIdentifier": "pg-2021", "dBInstanceStatus": "creating"})
ev("2022-03-01T09:00:00Z", "rds.amazonaws.com", "CreateDBInstance", DBA, region="eu-west-1",
   rp={"dBInstanceIdentifier": "mysql-prod-1", "dBInstanceClass": "db.r6g.large", "engine": "aurora-mysql",
       "engineVersion": "8.0.mysql_aurora.3.02.0", "publiclyAccessible": False},
   re={"dBInstanceIdentifier": "mysql-prod-1", "dBInstanceStatus": "creating"})
ev("2022-05-10T10:00:00Z", "rds.amazonaws.com", "CreateDBInstance", DBA,
   rp={"dBInstanceIdentifier": "pg-insights", "dBInstanceClass": "db.r5.xlarge", "engine": "aurora-postgresql",
       "engineVersion": "13.4", "enablePerformanceInsights": True, "publiclyAccessible": True},
   re={"dBInstanceIdentifier": "pg-insights", "dBInstanceStatus": "creating"})
ev("2022-05-12T11:00:00Z", "rds.amazonaws.com", "RebootDBInstance", DBA,
   rp={"dBInstanceIdentifier": "pg-insights"}, re={"dBInstanceIdentifier": "pg-insights"})
ev("2022-05-15T12:00:00Z", "kms.amazonaws.com", "Decrypt", DAVE, ip="192.0.2.77", ro=True,
   rp={"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, res=kres(KEY1))
ev("2022-05-20T13:00:00Z", "iam.amazonaws.com", "AddUserToGroup", root(),
   rp={"groupName": "admins", "userName": "carol"})
ev("2022-05-21T13:00:00Z", "iam.amazonaws.com", "AddUserToGroup", root(),
   rp={"groupName": "developers", "userName": "erin"})
ev("2022-06-15T14:00:00Z", "rds.amazonaws.com", "FailoverDBCluster", DBA,
   rp={"dBClusterIdentifier": "cluster-a"}, re={"dBClusterIdentifier": "cluster-a", "status": "available"})
ev("2022-07-01T15:00:00Z", "rds.amazonaws.com", "RestoreDBClusterToPointInTime", DBA,
   rp={"sourceDBClusterIdentifier": "cluster-a", "dBClusterIdentifier": "cluster-a-restored", "useLatestRestorableTime": True},
   re={"dBClusterIdentifier": "cluster-a-restored"})
ev("2022-08-20T16:00:00Z", "rds.amazonaws.com", "DeleteDBCluster", DBA,
   rp={"dBClusterIdentifier": "cluster-old", "skipFinalSnapshot": True}, re={"dBClusterIdentifier": "cluster-old"})
ev("2022-08-21T16:00:00Z", "rds.amazonaws.com", "DeleteDBCluster", DBA,
   rp={"dBClusterIdentifier": "cluster-keep", "skipFinalSnapshot": False, "finalDBSnapshotIdentifier": "cluster-keep-final"},
   re={"dBClusterIdentifier": "cluster-keep"})
ev("2022-09-01T08:00:00Z", "ec2.amazonaws.com", "CreateSnapshots", BOB,
   rp={"CreateSnapshotsRequest": {"InstanceSpecification": {"InstanceId": "i-0abc1234def567890"}, "CopyTagsFromSource": "volume"}},
   re={"CreateSnapshotsResponse": {"snapshotSet": {"item": [{"snapshotId": "snap-0aaa"}]}}})
ev("2022-09-02T08:00:00Z", "ec2.amazonaws.com", "CreateSnapshot", BOB,
   rp={"volumeId": "vol-0123456789abcdef0"}, re={"snapshotId": "snap-0bbb", "volumeId": "vol-0123456789abcdef0", "encrypted": False})
ev("2022-10-01T09:00:00Z", "ec2.amazonaws.com", "CreateTags", BOB,
   rp={"resourcesSet": {"items": [{"resourceId": "i-0abc1234def567890"}]}, "tagSet": {"items": [{"key": "Owner", "value": "bob"}]}},
   re={"_return": True})
ev("2022-10-02T09:00:00Z", "ec2.amazonaws.com", "DeleteTags", BOB,
   rp={"resourcesSet": {"items": [{"resourceId": "i-0abc1234def567890"}]}, "tagSet": {"items": [{"key": "Owner"}]}},
   re={"_return": True})
for t in ("2022-11-03T10:00:00Z", "2022-11-03T10:30:00Z", "2022-11-05T10:00:00Z"):
    ev(t, "config.amazonaws.com", "PutEvaluations", CONFIGROLE,
       rp={"evaluations": [{"complianceResourceType": "AWS::S3::Bucket", "complianceResourceId": "demo-bucket",
                            "complianceType": "COMPLIANT", "orderingTimestamp": "Nov 3, 2022 10:00:00 AM"}],
           "resultToken": "EXAMPLE-token", "testMode": False},
       add={"configRuleName": "s3-bucket-versioning-enabled",
            "configRuleArn": "arn:aws:config:us-east-1:%s:config-rule/config-rule-abc123" % A,
            "managedRuleIdentifier": "S3_BUCKET_VERSIONING_ENABLED"})

# ---- 2023-01-01..07: IAM Identity Center user alice, access key AKIAIOSFODNN7EXAMPLE, role/alice ----
ev("2023-01-02T10:00:00Z", "iam.amazonaws.com", "CreateRole", IDC,
   rp={"roleName": "app-role", "assumeRolePolicyDocument": "{\"Version\":\"2012-10-17\"}"},
   re={"role": {"roleName": "app-role", "arn": "arn:aws:iam::%s:role/app-role" % A}})
ev("2023-01-02T10:05:00Z", "iam.amazonaws.com", "CreateUser", IDC,
   rp={"userName": "svc-user"},
   re={"user": {"path": "/", "userName": "svc-user", "userId": "AIDAEXAMPLESVCUSER01", "arn": "arn:aws:iam::%s:user/svc-user" % A}})
ev("2023-01-02T10:06:00Z", "iam.amazonaws.com", "CreateAccessKey", IDC, err="AccessDenied",
   msg="User: arn:aws:sts::%s:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com is not authorized to perform: iam:CreateAccessKey on resource: user svc-user" % A,
   rp={"userName": "svc-user"})
ev("2023-01-03T09:00:00Z", "iam.amazonaws.com", "PutRolePolicy", IDC,
   rp={"roleName": "app-role", "policyName": "inline-s3",
       "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"})
ev("2023-01-03T09:30:00Z", "s3.amazonaws.com", "ListBuckets", IDC, ro=True, rp={"Host": "s3.us-east-1.amazonaws.com"})
ev("2023-01-03T11:00:00Z", "kms.amazonaws.com", "Decrypt", RALICE, ip="192.0.2.76", ro=True, acct=C,
   rp={"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, res=kres("arn:aws:kms:us-east-1:%s:key/aaaa1111-2222-3333-4444-555566667777" % C, C))
ev("2023-01-03T11:05:00Z", "kms.amazonaws.com", "Decrypt", RALICE, ro=True, acct=C,
   rp={"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, res=kres("arn:aws:kms:us-east-1:%s:key/aaaa1111-2222-3333-4444-555566667777" % C, C))
ev("2023-01-03T11:10:00Z", "kms.amazonaws.com", "GenerateDataKey", RALICE, ro=True, acct=C,
   rp={"keySpec": "AES_256", "encryptionContext": {"app": "billing"}},
   res=kres("arn:aws:kms:us-east-1:%s:key/aaaa1111-2222-3333-4444-555566667777" % C, C))
ev("2023-01-04T08:00:00Z", "sso.amazonaws.com", "Authenticate",
   {"type": "Unknown", "principalId": "EXAMPLEIDCUSERALICE1", "accountId": A, "userName": "alice@example.com"},
   ro=False, re=None, rp=None)
ev("2023-01-04T08:01:00Z", "sso.amazonaws.com", "Federate",
   {"type": "Unknown", "principalId": "EXAMPLEIDCUSERALICE1", "accountId": A, "userName": "alice@example.com"},
   ro=True, sed={"role_name": "AdministratorAccess", "account_id": A})
ev("2023-01-05T07:00:00Z", "ec2.amazonaws.com", "RunInstances", BOB, region="us-west-2", ip="192.0.2.76",
   eid="3270e016-59a1-4448-8dd1-d27a4796502d",
   rp={"instanceType": "t3.micro", "minCount": 1, "maxCount": 1},
   re={"instancesSet": {"items": [{"instanceId": "i-b188560f", "instanceType": "t3.micro"}]}, "ownerId": A})
ev("2023-01-05T07:30:00Z", "sts.amazonaws.com", "AssumeRole", BOB, ip="192.0.2.76", ro=True,
   rp={"roleArn": "arn:aws:iam::%s:role/app-role" % A, "roleSessionName": "bob-session"},
   re={"assumedRoleUser": {"assumedRoleId": "AROAEXAMPLEAPPROLE01:bob-session",
                           "arn": "arn:aws:sts::%s:assumed-role/app-role/bob-session" % A}},
   res=[{"accountId": A, "type": "AWS::IAM::Role", "ARN": "arn:aws:iam::%s:role/app-role" % A}])
ev("2023-01-05T08:00:00Z", "s3.amazonaws.com", "GetObject", BOB, ip="192.0.2.76", ro=True, mgmt=False, cat="Data",
   rp={"bucketName": "demo-bucket", "key": "reports/q1.csv", "Host": "demo-bucket.s3.us-east-1.amazonaws.com"},
   res=s3res("demo-bucket", "reports/q1.csv"))
ev("2023-01-06T08:00:00Z", "s3.amazonaws.com", "PutObject", BOB, mgmt=False, cat="Data",
   rp={"bucketName": "demo-bucket", "key": "reports/q2.csv", "x-amz-server-side-encryption": "AES256"},
   re={"x-amz-server-side-encryption": "AES256"}, res=s3res("demo-bucket", "reports/q2.csv"))
ev("2023-01-06T09:00:00Z", "kms.amazonaws.com", "Decrypt", BOB, ro=True, err="AccessDeniedException",
   msg="User: arn:aws:iam::%s:user/bob is not authorized to perform: kms:Decrypt on resource: %s because no resource-based policy allows the kms:Decrypt action" % (A, KEY1),
   rp={"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, res=kres(KEY1))
ev("2023-01-06T10:00:00Z", "kms.amazonaws.com", "Decrypt", DAVE, ip="192.0.2.76", ro=True,
   rp={"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, res=kres(KEY1))

# ---- 2023-01-22: the docs' example day ------------------------------------------------------
ev("2023-01-22T15:00:00Z", "s3.amazonaws.com", "CreateBucket", BOB, rp={"bucketName": "bob-new-bucket", "Host": "bob-new-bucket.s3.amazonaws.com"},
   res=s3res("bob-new-bucket"))
ev("2023-01-22T16:53:53Z", "cloudtrail.amazonaws.com", "DescribeQuery", BOB, ro=True,
   rp={"queryId": "EXAMPLEd-17a7-47c3-a9a1-eccf7EXAMPLE"})
ev("2023-01-22T17:00:00Z", "cloudtrail.amazonaws.com", "StartQuery", BOB,
   rp={"queryStatement": "select * from event_data_store_ID limit 1;"},
   re={"queryId": "EXAMPLEd-17a7-47c3-a9a1-eccf7EXAMPLE"})
ev("2023-01-22T17:10:00Z", "cloudtrail.amazonaws.com", "StartQuery", BOB, err="InvalidQueryStatementException",
   msg="Query statement is invalid", rp={"queryStatement": "delete from x"})
ev("2023-01-22T20:25:01Z", "s3.amazonaws.com", "ListBuckets", BOB, ro=True, rp={"Host": "s3.amazonaws.com"})

# ---- console sign-ins ------------------------------------------------------------------------
ev("2023-02-08T19:54:44Z", "signin.amazonaws.com", "ConsoleLogin", CONSOLE, agent="Mozilla/5.0",
   re={"ConsoleLogin": "Success"},
   add={"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "No"})
ev("2023-02-09T09:00:00Z", "signin.amazonaws.com", "ConsoleLogin", BOB, region="us-west-2", agent="Mozilla/5.0",
   re={"ConsoleLogin": "Success"},
   add={"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "Yes"})
ev("2023-02-10T09:00:00Z", "signin.amazonaws.com", "ConsoleLogin", root(), region="eu-west-1", agent="Mozilla/5.0",
   err="Failed authentication", msg="Failed authentication", re={"ConsoleLogin": "Failure"},
   add={"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "No"})
ev("2023-02-10T09:30:00Z", "iam.amazonaws.com", "CreatePolicy", CONSOLE, agent="AWS Internal", console="true",
   rp={"policyName": "console-made", "policyDocument": "{\"Version\":\"2012-10-17\"}"},
   re={"policy": {"policyName": "console-made"}},
   res=[{"accountId": A, "type": "AWS::IAM::Policy", "ARN": "arn:aws:iam::%s:policy/console-made" % A}])

# ---- roles assuming themselves, AWS Support --------------------------------------------------
ev("2023-03-01T10:00:00Z", "sts.amazonaws.com", "AssumeRole", APPROLE, ro=True,
   rp={"roleArn": "arn:aws:iam::%s:role/app-role" % A, "roleSessionName": "again"},
   res=[{"accountId": A, "type": "AWS::IAM::Role", "ARN": "arn:aws:iam::%s:role/app-role" % A}])
ev("2023-03-01T10:05:00Z", "sts.amazonaws.com", "AssumeRole", APPROLE, ro=True,
   rp={"roleArn": "arn:aws:iam::%s:role/DBAdmin" % A, "roleSessionName": "other"},
   res=[{"accountId": A, "type": "AWS::IAM::Role", "ARN": "arn:aws:iam::%s:role/DBAdmin" % A}])
ev("2023-04-01T10:00:00Z", "sts.amazonaws.com", "AssumeRole", SUPPORT, ip="support.amazonaws.com",
   agent="support.amazonaws.com", ro=True,
   rp={"roleArn": "arn:aws:iam::%s:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport" % A,
       "roleSessionName": "SupportSession"},
   re={"assumedRoleUser": {"arn": "arn:aws:sts::%s:assumed-role/AWSServiceRoleForSupport/SupportSession" % A}},
   res=[{"accountId": A, "type": "AWS::IAM::Role",
         "ARN": "arn:aws:iam::%s:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport" % A}])

# ---- S3 requests that rely on ACLs -------------------------------------------------------------
ev("2023-05-01T10:00:00Z", "s3.amazonaws.com", "GetObject", BOB, ro=True, mgmt=False, cat="Data",
   rp={"bucketName": "legacy-bucket", "key": "a.txt"}, add={"aclRequired": "Yes", "bytesTransferredOut": 12},
   res=s3res("legacy-bucket", "a.txt"))
ev("2023-05-02T10:00:00Z", "s3.amazonaws.com", "PutObject", BOB, mgmt=False, cat="Data",
   rp={"bucketName": "legacy-bucket", "key": "b.txt"}, add={"aclRequired": "Yes", "bytesTransferredIn": 34},
   res=s3res("legacy-bucket", "b.txt"))
ev("2023-05-03T10:00:00Z", "s3.amazonaws.com", "GetObject", DAVE, region="eu-west-1", ro=True, mgmt=False, cat="Data", acct=B,
   rp={"bucketName": "old-logs", "key": "2019/log.gz"}, add={"aclRequired": "Yes"},
   res=s3res("old-logs", "2019/log.gz", B))

# ---- 2023-07: security groups, public access block ----------------------------------------------
ev("2023-07-06T12:00:00Z", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", BOB,
   rp={"groupId": "sg-0public", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                                                              "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}},
   re={"_return": True})
ev("2023-07-07T12:00:00Z", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", BOB,
   rp={"groupId": "sg-0private", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432,
                                                               "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}]}},
   re={"_return": True})
ev("2023-07-07T10:00:00Z", "s3.amazonaws.com", "PutBucketPublicAccessBlock", BOB,
   rp={"bucketName": "demo-20230707",
       "PublicAccessBlockConfiguration": {"RestrictPublicBuckets": True, "BlockPublicPolicy": True,
                                          "BlockPublicAcls": True, "IgnorePublicAcls": True}},
   res=s3res("demo-20230707"))
ev("2023-07-08T10:00:00Z", "s3.amazonaws.com", "PutBucketPublicAccessBlock", BOB,
   rp={"bucketName": "demo-20230707",
       "PublicAccessBlockConfiguration": {"RestrictPublicBuckets": False, "BlockPublicPolicy": False,
                                          "BlockPublicAcls": True, "IgnorePublicAcls": True}},
   res=s3res("demo-20230707"))
ev("2023-07-08T12:00:00Z", "ec2.amazonaws.com", "ModifySecurityGroupRules", BOB,
   rp={"ModifySecurityGroupRulesRequest": {"GroupId": "sg-0public",
       "SecurityGroupRule": {"SecurityGroupRuleId": "sgr-0abc", "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv4": "0.0.0.0/0"}}}},
   re={"ModifySecurityGroupRulesResponse": {"return": True}})

# ---- 2023-10: write management events (Config cost estimate), EC2 ---------------------------------
ev("2023-10-02T10:00:00Z", "iam.amazonaws.com", "CreatePolicy", root(), rp={"policyName": "p1"},
   res=[{"accountId": A, "type": "AWS::IAM::Policy", "ARN": "arn:aws:iam::%s:policy/p1" % A}])
ev("2023-10-03T10:00:00Z", "iam.amazonaws.com", "AttachRolePolicy", root(),
   rp={"roleName": "app-role", "policyArn": "arn:aws:iam::%s:policy/p1" % A})
ev("2023-10-03T12:00:00Z", "iam.amazonaws.com", "DetachRolePolicy", root(),
   rp={"roleName": "app-role", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
ev("2023-10-03T11:00:00Z", "iam.amazonaws.com", "GetRole", root(), ro=True, rp={"roleName": "app-role"})
ev("2023-10-04T10:00:00Z", "ec2.amazonaws.com", "CreateVpc", APPROLE, region="eu-west-1",
   rp={"cidrBlock": "10.1.0.0/16"}, re={"vpc": {"vpcId": "vpc-0abc"}},
   res=[{"accountId": A, "type": "AWS::EC2::VPC", "ARN": "arn:aws:ec2:eu-west-1:%s:vpc/vpc-0abc" % A}])
ev("2023-10-05T10:00:00Z", "kms.amazonaws.com", "CreateKey", root(), rp={"keySpec": "SYMMETRIC_DEFAULT"},
   res=kres(KEY1))
ev("2023-10-06T10:00:00Z", "lambda.amazonaws.com", "CreateFunction20150331", DAVE, region="eu-west-1", acct=B,
   rp={"functionName": "ingest"})
ev("2023-10-07T10:00:00Z", "ec2.amazonaws.com", "RevokeSecurityGroupIngress", APPROLE, region="eu-west-1",
   rp={"groupId": "sg-0public"}, re={"_return": True},
   res=[{"accountId": A, "type": "AWS::EC2::SecurityGroup", "ARN": "arn:aws:ec2:eu-west-1:%s:security-group/sg-0public" % A}])
ev("2023-10-08T10:00:00Z", "s3.amazonaws.com", "GetObject", BOB, ro=True, mgmt=False, cat="Data",
   rp={"bucketName": "demo-bucket", "key": "reports/q1.csv"}, res=s3res("demo-bucket", "reports/q1.csv"))
ev("2023-10-09T10:00:00Z", "dynamodb.amazonaws.com", "Scan", APPROLE, ro=True, mgmt=False, cat="Data",
   rp={"tableName": "orders"},
   res=[{"accountId": A, "type": "AWS::DynamoDB::Table", "ARN": "arn:aws:dynamodb:us-east-1:%s:table/orders" % A}])

# ---- 2023-11-16: Config rule evaluations --------------------------------------------------------
ev("2023-11-16T10:00:00Z", "config.amazonaws.com", "PutEvaluations", CONFIGROLE,
   rp={"evaluations": [{"complianceResourceType": "AWS::S3::Bucket", "complianceResourceId": "demo-bucket",
                        "complianceType": "NON_COMPLIANT", "orderingTimestamp": "Nov 16, 2023 9:59:00 AM"}],
       "resultToken": "EXAMPLE-token", "testMode": False},
   add={"configRuleName": "s3-bucket-versioning-enabled",
        "configRuleArn": "arn:aws:config:us-east-1:%s:config-rule/config-rule-abc123" % A})
ev("2023-11-16T11:00:00Z", "config.amazonaws.com", "PutEvaluations", CONFIGROLE,
   rp={"evaluations": [{"complianceResourceType": "AWS::EC2::Instance", "complianceResourceId": "i-0abc1234def567890",
                        "complianceType": "NOT_APPLICABLE", "orderingTimestamp": "Nov 16, 2023 10:59:00 AM"}],
       "resultToken": "EXAMPLE-token", "testMode": False},
   add={"configRuleName": "ec2-imdsv2-check",
        "configRuleArn": "arn:aws:config:us-east-1:%s:config-rule/config-rule-def456" % A})
ev("2023-11-20T10:00:00Z", "ec2.amazonaws.com", "AssociateAddress", APPROLE,
   rp={"instanceId": "i-0abc1234def567890", "allocationId": "eipalloc-0abc"})

# ---- 2024-05: errors, tags (query generator examples) --------------------------------------------
TAGS_PAY = {"tagContext": {"principalTags": {"operator": "ops-anna"},
                           "resourceTags": [{"arn": "arn:aws:s3:::pay-bucket",
                                             "tags": {"aws:cloudformation:stack-name": "myStack", "solution": "payments"}}]}}
TAGS_PAY_BEN = {"tagContext": {"principalTags": {"operator": "ops-ben"},
                               "resourceTags": [{"arn": "arn:aws:s3:::pay-bucket",
                                                 "tags": {"aws:cloudformation:stack-name": "myStack", "solution": "payments"}}]}}
TAGS_OTHER = {"tagContext": {"principalTags": {"operator": "ops-anna"},
                             "resourceTags": [{"arn": "arn:aws:s3:::web-bucket",
                                               "tags": {"aws:cloudformation:stack-name": "webStack", "solution": "website"}}]}}
ev("2024-05-01T09:00:00Z", "s3.amazonaws.com", "PutBucketTagging", BOB, rp={"bucketName": "pay-bucket"},
   res=s3res("pay-bucket"), ctx=TAGS_PAY)
ev("2024-05-01T10:00:00Z", "s3.amazonaws.com", "PutBucketVersioning", BOB, rp={"bucketName": "web-bucket"},
   res=s3res("web-bucket"), ctx=TAGS_OTHER)
ev("2024-05-01T11:00:00Z", "s3.amazonaws.com", "PutBucketPolicy", CAROL, rp={"bucketName": "pay-bucket"},
   res=s3res("pay-bucket"), ctx=TAGS_PAY_BEN)
for i, who in enumerate((BOB, CAROL, DAVE)):
    ev("2024-05-10T1%d:00:00Z" % i, "s3.amazonaws.com", "GetObject", who, ro=True, mgmt=False, cat="Data",
       err="AccessDenied", msg="Access Denied", rp={"bucketName": "pay-bucket", "key": "ledger.csv"},
       res=s3res("pay-bucket", "ledger.csv"), acct=A)
for i in range(2):
    ev("2024-05-11T1%d:00:00Z" % i, "kms.amazonaws.com", "Decrypt", BOB, ro=True, err="AccessDeniedException",
       msg="User: arn:aws:iam::%s:user/bob is not authorized to perform: kms:Decrypt on resource: %s because no resource-based policy allows the kms:Decrypt action" % (A, KEY1),
       rp={"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, res=kres(KEY1))
ev("2024-05-12T10:00:00Z", "iam.amazonaws.com", "DeleteRole", CAROL, err="NoSuchEntityException",
   msg="The role with name old-role cannot be found.", rp={"roleName": "old-role"})
ev("2024-05-12T11:00:00Z", "kms.amazonaws.com", "GenerateDataKey", CT, ip="cloudtrail.amazonaws.com",
   agent="cloudtrail.amazonaws.com", ro=True,
   rp={"keyId": KEY1, "encryptionContext": {"aws:cloudtrail:arn": EDS}, "keySpec": "AES_256"}, res=kres(KEY1))
ev("2024-05-12T11:00:05Z", "kms.amazonaws.com", "Decrypt", CT, ip="cloudtrail.amazonaws.com",
   agent="cloudtrail.amazonaws.com", ro=True,
   rp={"encryptionContext": {"aws:cloudtrail:arn": EDS}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, res=kres(KEY1))
ev("2024-05-20T10:00:00Z", "kms.amazonaws.com", "GenerateDataKey", APPROLE, region="eu-west-1", ro=True,
   rp={"keyId": "alias/app", "keySpec": "AES_256", "encryptionContext": {"tenant": "t-1"}}, res=kres(KEY2))
ev("2024-06-01T10:00:00Z", "sns.amazonaws.com", "CreateTopic", IDC, rp={"name": "alerts"},
   re={"topicArn": "arn:aws:sns:us-east-1:%s:alerts" % A})
ev("2024-06-01T10:05:00Z", "sns.amazonaws.com", "Publish", BOB, rp={"topicArn": "arn:aws:sns:us-east-1:%s:alerts" % A},
   re={"messageId": "11111111-2222-3333-4444-555555555555"})
ev("2024-06-01T10:10:00Z", "sns.amazonaws.com", "Publish", BOB, rp={"topicArn": "arn:aws:sns:us-east-1:%s:alerts" % A},
   re={"messageId": "11111111-2222-3333-4444-666666666666"})
ev("2024-09-17T08:00:00Z", "signin.amazonaws.com", "ConsoleLogin", CONSOLE, agent="Mozilla/5.0",
   re={"ConsoleLogin": "Success"},
   add={"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "Yes"})

# ---- 2025-05-14: S3 data events with resource tags --------------------------------------------------
ev("2025-05-14T08:00:00Z", "s3.amazonaws.com", "GetObject", BOB, ro=True, mgmt=False, cat="Data",
   rp={"bucketName": "pay-bucket", "key": "ledger.csv"}, res=s3res("pay-bucket", "ledger.csv"),
   ctx={"tagContext": {"resourceTags": [{"arn": "arn:aws:s3:::pay-bucket",
                                         "tags": {"Environment": "prod", "solution": "payments"}}]}})
ev("2025-05-14T09:00:00Z", "s3.amazonaws.com", "PutObject", BOB, mgmt=False, cat="Data",
   rp={"bucketName": "pay-bucket", "key": "ledger-2.csv"}, res=s3res("pay-bucket", "ledger-2.csv"),
   ctx={"tagContext": {"resourceTags": [{"arn": "arn:aws:s3:::pay-bucket",
                                         "tags": {"Environment": "prod", "solution": "payments"}}]}})
ev("2025-05-14T09:30:00Z", "s3.amazonaws.com", "GetObject", CAROL, ro=True, mgmt=False, cat="Data",
   rp={"bucketName": "test-bucket", "key": "t.txt"}, res=s3res("test-bucket", "t.txt"),
   ctx={"tagContext": {"resourceTags": [{"arn": "arn:aws:s3:::test-bucket",
                                         "tags": {"Environment": "test", "solution": "payments"}}]}})
ev("2025-05-14T21:00:00Z", "s3.amazonaws.com", "GetObject", BOB, ro=True, mgmt=False, cat="Data",
   rp={"bucketName": "web-bucket", "key": "index.html"}, res=s3res("web-bucket", "index.html"),
   ctx={"tagContext": {"resourceTags": [{"arn": "arn:aws:s3:::web-bucket",
                                         "tags": {"Environment": "prod", "solution": "website"}}]}})

# ---- 2099: KMS alias changes, far enough ahead to be within "the last week" of any run --------------
ev("2099-01-01T10:00:00Z", "kms.amazonaws.com", "CreateAlias", root(),
   rp={"aliasName": "alias/app-old", "targetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}, res=kres(KEY1))
ev("2099-01-02T10:00:00Z", "kms.amazonaws.com", "UpdateAlias", root(),
   rp={"aliasName": "alias/app-new", "targetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}, res=kres(KEY1))
ev("2099-01-03T10:00:00Z", "kms.amazonaws.com", "CreateAlias", root(), region="eu-west-1",
   rp={"aliasName": "alias/logs", "targetKeyId": "0987dcba-09fe-87dc-65ba-ab0987654321"}, res=kres(KEY2))

if __name__ == "__main__":
    import sys
    out = sys.argv[1]
    with open(out, "w") as f:
        for r in sorted(records, key=lambda r: r["eventTime"]):
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    print(len(records), "records")
