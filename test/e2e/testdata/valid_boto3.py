"""boto3 sends valid, edge-of-valid requests to every service of keytrail (driven by
valid_traffic_test.go's TestValidTrafficBoto3); each must succeed as it would on AWS.

Usage: valid_boto3.py ENDPOINT ACCOUNT ROOT_SECRET

Each check runs on its own; the script prints "ok NAME" or "FAIL NAME: why" per check and exits
non-zero when any failed. The last line is a JSON object of what the Go side checks in the trail
(the trail name, bucket and the KMS key id).
"""
import base64
import datetime
import json
import struct
import sys
import traceback
import zlib

import boto3
from botocore.config import Config

endpoint, account, root_secret = sys.argv[1:4]
config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
sess = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key=root_secret, region_name="us-east-1")


def client(service, region="us-east-1"):
    return sess.client(service, endpoint_url=endpoint, config=config, region_name=region)


kms, ct, iam, sts, s3 = client("kms"), client("cloudtrail"), client("iam"), client("sts"), client("s3")
failures = []
state = {}


def check(name):
    def wrap(fn):
        try:
            fn()
            print("ok", name, flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the script fails
            failures.append(name)
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc(limit=2, file=sys.stdout)
        return fn
    return wrap


def key_policy(size=0):
    doc = {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"}]}
    text = json.dumps(doc, indent=2)
    if size:
        doc["Statement"][0]["Sid"] = "x"
        text = json.dumps(doc)
        doc["Statement"][0]["Sid"] = "x" * (size - len(text) + 1)
        text = json.dumps(doc)
        assert len(text) == size, len(text)
    return text


# ---------------------------------------------------------------- a trail records what follows
bucket = "valid.bucket-with.dots-" + "a" * 40
assert len(bucket) == 63


@check("s3 buckets: dots, 63 characters, LocationConstraint us-west-2 and eu-west-1")
def _():
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket="valid-west-2", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    client("s3", "eu-west-1").create_bucket(Bucket="valid-eu-west-1",
                                            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert s3.get_bucket_location(Bucket="valid-west-2")["LocationConstraint"] == "us-west-2"
    assert s3.get_bucket_location(Bucket="valid-eu-west-1")["LocationConstraint"] == "eu-west-1"
    s3.head_bucket(Bucket=bucket)
    s3.list_buckets()
    state["bucket"] = bucket


trail = "valid-trail_1.x"


@check("cloudtrail create-trail with every option")
def _():
    pol = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{bucket}"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/logs/prefix/AWSLogs/{account}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(pol))
    out = ct.create_trail(Name=trail, S3BucketName=bucket, S3KeyPrefix="logs/prefix", IsMultiRegionTrail=True,
                          IncludeGlobalServiceEvents=True, EnableLogFileValidation=False, IsOrganizationTrail=False,
                          TagsList=[{"Key": "k" * 128, "Value": "v" * 256}, {"Key": "a", "Value": "+-=._:/@ ü"}])
    state["trail"] = trail
    state["trailArn"] = out["TrailARN"]
    ct.start_logging(Name=trail)
    ct.get_trail_status(Name=out["TrailARN"])
    ct.get_trail(Name=trail)
    d = ct.describe_trails(trailNameList=[out["TrailARN"], trail], includeShadowTrails=True)
    assert len(d["trailList"]) >= 1, d
    ct.list_trails()
    ct.list_tags(ResourceIdList=[out["TrailARN"]])
    ct.add_tags(ResourceId=out["TrailARN"], TagsList=[{"Key": "b", "Value": "ü ✓"}])
    ct.remove_tags(ResourceId=out["TrailARN"], TagsList=[{"Key": "b"}])
    ct.update_trail(Name=trail, S3KeyPrefix="logs/prefix", IncludeGlobalServiceEvents=True, IsMultiRegionTrail=True)


# ---------------------------------------------------------------- KMS
@check("kms create-key with every option")
def _():
    tags = [{"TagKey": "k" * 128, "TagValue": "v" * 256}, {"TagKey": "team:owner/a.b=c+d-e@f_g", "TagValue": ""}]
    k = kms.create_key(Description="d" * 8192, KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT",
                       Origin="AWS_KMS", MultiRegion=False, Tags=tags, Policy=key_policy(),
                       BypassPolicyLockoutSafetyCheck=False)
    state["key"] = k["KeyMetadata"]["KeyId"]
    state["keyArn"] = k["KeyMetadata"]["Arn"]
    assert k["KeyMetadata"]["MultiRegion"] is False
    got = kms.list_resource_tags(KeyId=state["key"], Limit=50)["Tags"]
    assert len(got) == 2, got


@check("kms key policy of 32768 characters")
def _():
    kms.put_key_policy(KeyId=state["key"], PolicyName="default", Policy=key_policy(32768))
    assert len(kms.get_key_policy(KeyId=state["key"], PolicyName="default")["Policy"]) == 32768


@check("kms key policy with non-ASCII characters")
def _():
    doc = json.loads(key_policy())
    doc["Statement"][0]["Sid"] = "Zugriff für Administratoren ©±µ¿ÿ"
    kms.put_key_policy(KeyId=state["key"], PolicyName="default", Policy=json.dumps(doc, ensure_ascii=False))


@check("kms aliases with slashes, dashes and underscores")
def _():
    for name in ("alias/a/b/c-d_e", "alias/" + "x" * 250, "alias/Team-1/app_2/prod"):
        kms.create_alias(AliasName=name, TargetKeyId=state["key"])
    kms.update_alias(AliasName="alias/a/b/c-d_e", TargetKeyId=state["keyArn"])
    kms.describe_key(KeyId="alias/a/b/c-d_e")
    kms.describe_key(KeyId=f"arn:aws:kms:us-east-1:{account}:alias/a/b/c-d_e")
    aliases = kms.list_aliases(KeyId=state["key"], Limit=1)
    assert aliases["Truncated"] and len(aliases["Aliases"]) == 1, aliases
    kms.list_aliases(KeyId=state["key"], Limit=1, Marker=aliases["NextMarker"])
    kms.delete_alias(AliasName="alias/Team-1/app_2/prod")


@check("kms encrypt with context and grant tokens, decrypt, re-encrypt")
def _():
    ctx = {"aws:cloudtrail:arn": "arn:aws:cloudtrail:us-east-1:1:trail/x", "ünïcödé": "värde ✓", "empty": ""}
    ct_ = kms.encrypt(KeyId=f"alias/a/b/c-d_e", Plaintext=b"\x00" * 4096, EncryptionContext=ctx,
                      GrantTokens=["token-a", "token-b"], EncryptionAlgorithm="SYMMETRIC_DEFAULT")["CiphertextBlob"]
    pt = kms.decrypt(CiphertextBlob=ct_, EncryptionContext=ctx, KeyId=state["keyArn"],
                     EncryptionAlgorithm="SYMMETRIC_DEFAULT")["Plaintext"]
    assert pt == b"\x00" * 4096
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    re = kms.re_encrypt(CiphertextBlob=ct_, SourceEncryptionContext=ctx, DestinationKeyId=other,
                        DestinationEncryptionContext={"b": "2"}, SourceKeyId=state["key"],
                        SourceEncryptionAlgorithm="SYMMETRIC_DEFAULT", DestinationEncryptionAlgorithm="SYMMETRIC_DEFAULT")
    assert kms.decrypt(CiphertextBlob=re["CiphertextBlob"], EncryptionContext={"b": "2"})["Plaintext"] == pt


@check("kms generate-data-key NumberOfBytes and KeySpec")
def _():
    for kw in ({"NumberOfBytes": 1}, {"NumberOfBytes": 1024}, {"KeySpec": "AES_128"}, {"KeySpec": "AES_256"}):
        out = kms.generate_data_key(KeyId=state["key"], EncryptionContext={"a": "b"}, **kw)
        n = kw.get("NumberOfBytes") or {"AES_128": 16, "AES_256": 32}[kw.get("KeySpec")]
        assert len(out["Plaintext"]) == n, (kw, len(out["Plaintext"]))
    kms.generate_data_key_without_plaintext(KeyId=state["key"], KeySpec="AES_256")
    assert len(kms.generate_random(NumberOfBytes=1024)["Plaintext"]) == 1024


@check("kms grants with constraints and retiring principal")
def _():
    g = kms.create_grant(KeyId=state["key"], GranteePrincipal=f"arn:aws:iam::{account}:role/a/b/grantee",
                         RetiringPrincipal=f"arn:aws:iam::{account}:user/x+y=z,w.v@u-t",
                         Operations=["Encrypt", "Decrypt", "GenerateDataKey", "ReEncryptFrom", "ReEncryptTo",
                                     "DescribeKey", "CreateGrant", "RetireGrant"],
                         Constraints={"EncryptionContextSubset": {"Department": "IT", "ü": "✓"}},
                         Name="grant-name_with:1/2", GrantTokens=["t"])
    kms.create_grant(KeyId=state["key"], GranteePrincipal=f"arn:aws:iam::{account}:root",
                     Operations=["Decrypt"], Constraints={"EncryptionContextEquals": {"a": "b"}})
    page = kms.list_grants(KeyId=state["key"], Limit=1)
    assert page["Truncated"], page
    kms.list_grants(KeyId=state["key"], Limit=100, Marker=page["NextMarker"])
    kms.list_grants(KeyId=state["key"], GrantId=g["GrantId"])
    kms.list_retirable_grants(RetiringPrincipal=f"arn:aws:iam::{account}:user/x+y=z,w.v@u-t", Limit=10)
    kms.retire_grant(KeyId=state["keyArn"], GrantId=g["GrantId"])


@check("kms list-keys and list-aliases paging with Limit 1..1000")
def _():
    page = kms.list_keys(Limit=1)
    assert page["Truncated"], page
    kms.list_keys(Limit=1000, Marker=page["NextMarker"])
    kms.list_aliases(Limit=100)


@check("kms 50 tags, untag, describe, enable/disable, rotation")
def _():
    tags = [{"TagKey": f"key-{i:03d}-" + "k" * 120, "TagValue": "v" * 256} for i in range(50)]
    fresh = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.tag_resource(KeyId=fresh, Tags=tags)
    assert len(kms.list_resource_tags(KeyId=fresh)["Tags"]) == 50
    kms.untag_resource(KeyId=fresh, TagKeys=[t["TagKey"] for t in tags[:49]])
    kms.update_key_description(KeyId=state["key"], Description="")
    kms.enable_key_rotation(KeyId=state["key"])
    kms.get_key_rotation_status(KeyId=state["key"])
    kms.disable_key(KeyId=state["key"])
    kms.enable_key(KeyId=state["key"])


@check("kms schedule-key-deletion 7 and 30 days, cancel")
def _():
    for days in (7, 30):
        k = kms.create_key()["KeyMetadata"]["KeyId"]
        out = kms.schedule_key_deletion(KeyId=k, PendingWindowInDays=days)
        assert out["KeyState"] == "PendingDeletion", out
        kms.cancel_key_deletion(KeyId=k)


# ---------------------------------------------------------------- S3


@check("s3 objects: unicode keys, metadata, headers")
def _():
    for key in ("ünïcödé/日本語/file ✓.txt", "a b+c&d=e?f#g", "dir//double//slash", "~!@$%^*()_-[]{};:',<.>",
                "x" * 1024):
        s3.put_object(Bucket=bucket, Key=key, Body=b"hello", Metadata={"owner": "me", "x-y": "z"},
                      ContentType="text/plain; charset=utf-8", CacheControl="max-age=60",
                      ContentDisposition='attachment; filename="f.txt"', ContentEncoding="identity",
                      ContentLanguage="en-US", StorageClass="STANDARD", Tagging="a=b&c=d")
        got = s3.get_object(Bucket=bucket, Key=key)
        assert got["Body"].read() == b"hello", key
        assert got["Metadata"] == {"owner": "me", "x-y": "z"}, got["Metadata"]
        s3.head_object(Bucket=bucket, Key=key)
    s3.get_object(Bucket=bucket, Key="x" * 1024, Range="bytes=1-3")


@check("s3 storage classes the SDKs send")
def _():
    for sc in ("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
               "DEEP_ARCHIVE", "GLACIER_IR"):
        s3.put_object(Bucket=bucket, Key="sc/" + sc, Body=b"x", StorageClass=sc)


@check("s3 list-objects v1/v2 with max-keys 0, 1, 1000, prefixes, delimiter, encoding")
def _():
    assert s3.list_objects_v2(Bucket=bucket, MaxKeys=0)["KeyCount"] == 0
    page = s3.list_objects_v2(Bucket=bucket, MaxKeys=1, FetchOwner=True, EncodingType="url")
    assert page["IsTruncated"], page
    s3.list_objects_v2(Bucket=bucket, MaxKeys=1000, ContinuationToken=page["NextContinuationToken"])
    s3.list_objects_v2(Bucket=bucket, StartAfter="a", Prefix="ünïcödé/", Delimiter="/")
    s3.list_objects(Bucket=bucket, MaxKeys=0)
    s3.list_objects(Bucket=bucket, Marker="a", Prefix="", Delimiter="/", EncodingType="url")


@check("s3 multipart upload, copy, tagging")
def _():
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp/ü.bin", Metadata={"m": "1"}, ContentType="application/octet-stream")
    parts = []
    for n, body in ((1, b"a" * (5 << 20)), (2, b"b" * 10)):
        p = s3.upload_part(Bucket=bucket, Key="mp/ü.bin", UploadId=up["UploadId"], PartNumber=n, Body=body)
        parts.append({"PartNumber": n, "ETag": p["ETag"]})
    s3.list_parts(Bucket=bucket, Key="mp/ü.bin", UploadId=up["UploadId"], MaxParts=1)
    s3.list_multipart_uploads(Bucket=bucket, MaxUploads=1)
    s3.complete_multipart_upload(Bucket=bucket, Key="mp/ü.bin", UploadId=up["UploadId"], MultipartUpload={"Parts": parts})
    s3.copy_object(Bucket=bucket, Key="copy/ü copy.bin", CopySource={"Bucket": bucket, "Key": "mp/ü.bin"},
                   MetadataDirective="REPLACE", Metadata={"n": "2"}, TaggingDirective="REPLACE", Tagging="k=v")
    s3.copy_object(Bucket="valid-west-2", Key="copied", CopySource=f"{bucket}/ünïcödé/日本語/file ✓.txt")
    tags = [{"Key": f"k{i}" + "x" * 120, "Value": "v" * 256} for i in range(10)]
    s3.put_object_tagging(Bucket=bucket, Key="mp/ü.bin", Tagging={"TagSet": tags})
    assert len(s3.get_object_tagging(Bucket=bucket, Key="mp/ü.bin")["TagSet"]) == 10
    s3.delete_object_tagging(Bucket=bucket, Key="mp/ü.bin")
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "aws-not:x", "Value": ""}, {"Key": "a b", "Value": "+-=._:/@"}]})
    s3.get_bucket_tagging(Bucket=bucket)
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "sc/STANDARD"}, {"Key": "missing"}], "Quiet": True})


@check("s3 multipart upload with a full-object checksum on CompleteMultipartUpload")
def _():
    # The CRT-based SDKs and transfer managers send the object's CRC32 with x-amz-checksum-type
    # FULL_OBJECT; the header is the object's checksum, not the XML body's.
    body = b"full object " * 100
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp/full", ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT")
    part = s3.upload_part(Bucket=bucket, Key="mp/full", UploadId=up["UploadId"], PartNumber=1, Body=body,
                          ChecksumAlgorithm="CRC32")
    whole = base64.b64encode(struct.pack(">I", zlib.crc32(body))).decode()
    s3.complete_multipart_upload(Bucket=bucket, Key="mp/full", UploadId=up["UploadId"], ChecksumCRC32=whole,
                                 ChecksumType="FULL_OBJECT", MpuObjectSize=len(body), MultipartUpload={"Parts": [
                                     {"PartNumber": 1, "ETag": part["ETag"], "ChecksumCRC32": part["ChecksumCRC32"]}]})
    assert s3.get_object(Bucket=bucket, Key="mp/full")["Body"].read() == body


@check("s3 bucket policy with conditions, default encryption, versioning")
def _():
    pol = {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}, "StringNotEquals": {"aws:SourceVpce": "vpce-1"},
                       "IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}},
        {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}}]}
    s3.put_bucket_policy(Bucket="valid-west-2", Policy=json.dumps(pol).replace(bucket, "valid-west-2"))
    s3.get_bucket_policy(Bucket="valid-west-2")
    s3.delete_bucket_policy(Bucket="valid-west-2")
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": state["keyArn"]},
         "BucketKeyEnabled": True}]})
    s3.get_bucket_encryption(Bucket=bucket)
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_object(Bucket=bucket, Key="sse-kms", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=state["key"],
                  SSEKMSEncryptionContext="eyJhIjoiYiJ9", BucketKeyEnabled=True)
    s3.get_bucket_versioning(Bucket="valid-west-2")


# ---------------------------------------------------------------- IAM
@check("iam users, roles, groups with paths, names with +=,.@-, tags")
def _():
    tags = [{"Key": "k" * 128, "Value": "v" * 256}, {"Key": "a+b=c d.e@f-g_h:i/j", "Value": ""}]
    boundary = iam.create_policy(PolicyName="boundary", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))["Policy"]["Arn"]
    state["boundary"] = boundary
    iam.create_user(UserName="u+=,.@-_1", Path="/a/b/", Tags=tags)
    iam.create_user(UserName="u" * 64)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:user/a/b/u+=,.@-_1"}, "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
         "Condition": {"StringEquals": {"sts:ExternalId": "ext-id_+=,.@:/-"}}}]})
    iam.create_role(RoleName="r+=,.@-_1", Path="/a/b/", AssumeRolePolicyDocument=trust, Description="röle ©\t\n",
                    MaxSessionDuration=43200, Tags=tags)
    iam.create_role(RoleName="r" * 64, AssumeRolePolicyDocument=trust, MaxSessionDuration=3600)
    iam.create_group(GroupName="g+=,.@-_1", Path="/a/b/")
    iam.add_user_to_group(GroupName="g+=,.@-_1", UserName="u+=,.@-_1")
    iam.get_user(UserName="u+=,.@-_1")
    iam.get_role(RoleName="r+=,.@-_1")
    iam.get_group(GroupName="g+=,.@-_1", MaxItems=1)


@check("iam inline and managed policies")
def _():
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "A1", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    iam.put_user_policy(UserName="u+=,.@-_1", PolicyName="p+=,.@-_1", PolicyDocument=doc)
    iam.put_role_policy(RoleName="r+=,.@-_1", PolicyName="p", PolicyDocument=doc)
    iam.put_group_policy(GroupName="g+=,.@-_1", PolicyName="p", PolicyDocument=doc)
    iam.list_user_policies(UserName="u+=,.@-_1", MaxItems=1000)
    p = iam.create_policy(PolicyName="mp+=,.@-_1", Path="/a/b/", PolicyDocument=doc, Description="ü ✓",
                          Tags=[{"Key": "a", "Value": "b"}])["Policy"]
    iam.get_policy_version(PolicyArn=p["Arn"], VersionId="v1")
    iam.attach_user_policy(UserName="u+=,.@-_1", PolicyArn=p["Arn"])
    iam.attach_role_policy(RoleName="r+=,.@-_1", PolicyArn=p["Arn"])
    iam.attach_group_policy(GroupName="g+=,.@-_1", PolicyArn=p["Arn"])
    iam.list_attached_user_policies(UserName="u+=,.@-_1", PathPrefix="/a/", MaxItems=1)
    iam.list_attached_role_policies(RoleName="r+=,.@-_1")
    iam.list_policies(Scope="Local", OnlyAttached=True, PathPrefix="/a/b/", PolicyUsageFilter="PermissionsPolicy", MaxItems=10)
    iam.list_policies(Scope="AWS", MaxItems=1)


@check("iam access keys, list-* with MaxItems and Marker")
def _():
    k = iam.create_access_key(UserName="u+=,.@-_1")["AccessKey"]
    iam.update_access_key(UserName="u+=,.@-_1", AccessKeyId=k["AccessKeyId"], Status="Inactive")
    iam.list_access_keys(UserName="u+=,.@-_1", MaxItems=1)
    iam.delete_access_key(UserName="u+=,.@-_1", AccessKeyId=k["AccessKeyId"])
    page = iam.list_users(MaxItems=1)
    assert page["IsTruncated"], page
    iam.list_users(MaxItems=1000, Marker=page["Marker"], PathPrefix="/")
    iam.list_roles(PathPrefix="/a/b/", MaxItems=1)
    iam.get_policy_version(PolicyArn=state["boundary"], VersionId="v1")
    iam.update_assume_role_policy(RoleName="r" * 64, PolicyDocument=iam.get_role(RoleName="r" * 64)["Role"]["AssumeRolePolicyDocument"] and json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    iam.list_groups(PathPrefix="/a/", MaxItems=1)
    iam.list_groups_for_user(UserName="u+=,.@-_1", MaxItems=1)
    iam.list_role_policies(RoleName="r+=,.@-_1", MaxItems=1)


# ---------------------------------------------------------------- STS
@check("sts assume-role with duration, session policy, tags, external id, source identity")
def _():
    key = iam.create_access_key(UserName="u+=,.@-_1")["AccessKey"]
    user = boto3.session.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                                 region_name="us-east-1")
    sts = user.client("sts", endpoint_url=endpoint, config=config)
    session_policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    out = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/a/b/r+=,.@-_1", RoleSessionName="s+=,.@-_" + "x" * 55,
                          DurationSeconds=43200, Policy=session_policy,
                          PolicyArns=[{"arn": state["boundary"]}],
                          Tags=[{"Key": "team", "Value": "a+b=c d.e@f-g_h:i/j"}, {"Key": "k" * 128, "Value": "v" * 256}],
                          TransitiveTagKeys=["team"], ExternalId="ext-id_+=,.@:/-", SourceIdentity="src+=,.@-")
    assert out["AssumedRoleUser"]["Arn"].endswith("/s+=,.@-_" + "x" * 55), out
    sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/a/b/r+=,.@-_1", RoleSessionName="s2", DurationSeconds=900,
                    ExternalId="ext-id_+=,.@:/-")
    sts.get_caller_identity()


# ---------------------------------------------------------------- CloudTrail
@check("cloudtrail basic event selectors with every field")
def _():
    ct.put_event_selectors(TrailName=trail, EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True, "ExcludeManagementEventSources": [],
         "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{bucket}/"]}]},
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": False,
         "DataResources": [{"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}]}])
    ct.get_event_selectors(TrailName=trail)


@check("cloudtrail advanced event selectors with every field")
def _():
    ct.put_event_selectors(TrailName=state["trailArn"], AdvancedEventSelectors=[
        {"Name": "Management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                          {"Field": "readOnly", "Equals": ["false"]}]},
        {"Name": "S3 data ü", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
            {"Field": "resources.ARN", "StartsWith": [f"arn:aws:s3:::{bucket}/"], "NotStartsWith": [f"arn:aws:s3:::{bucket}/tmp/"],
             "EndsWith": [".txt"], "NotEndsWith": [".log"]},
            {"Field": "eventName", "NotEquals": ["GetObjectAcl"]}]}])
    ct.get_event_selectors(TrailName=trail)
    ct.put_event_selectors(TrailName=trail, EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}])


@check("cloudtrail lookup-events with every attribute, time range, MaxResults 50 and paging")
def _():
    now = datetime.datetime.now(datetime.timezone.utc)
    for key, value in (("EventId", "00000000-0000-0000-0000-000000000000"), ("EventName", "CreateKey"),
                       ("ReadOnly", "false"), ("Username", "root"), ("ResourceType", "AWS::KMS::Key"),
                       ("ResourceName", state.get("keyArn", "x")), ("EventSource", "kms.amazonaws.com"),
                       ("AccessKeyId", account)):
        ct.lookup_events(LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}],
                         StartTime=now - datetime.timedelta(days=89), EndTime=now + datetime.timedelta(minutes=5),
                         MaxResults=50)
    page = ct.lookup_events(MaxResults=1)
    assert "NextToken" in page, page.keys()
    ct.lookup_events(MaxResults=50, NextToken=page["NextToken"])
    ct.lookup_events(StartTime=datetime.datetime(2020, 1, 1), EndTime=now)


print(json.dumps(state))
if failures:
    print(f"{len(failures)} checks failed: {failures}")
    sys.exit(1)
