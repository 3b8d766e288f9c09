"""boto3 against keytrail's S3 and KMS (driven by s3_test.go's TestS3Boto3).

Usage: s3_boto3.py ENDPOINT ACCOUNT ROOT_SECRET WORKDIR

Every check is an assertion: the script exits non-zero on the first that fails and prints, one
per line, the checks that passed.
"""
import filecmp
import json
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, account, root_secret, workdir = sys.argv[1:5]
config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})


def session(akid, secret):
    return boto3.session.Session(aws_access_key_id=akid, aws_secret_access_key=secret, region_name="us-east-1")


def client(sess, service):
    return sess.client(service, endpoint_url=endpoint, config=config)


def refused(code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == code, f"{fn.__name__}: {got} ({e.response['Error'].get('Message')}), want {code}"
        return
    raise AssertionError(f"{fn.__name__} succeeded; want {code}")


def passed(what):
    print("ok", what, flush=True)


root = session(account, root_secret)
iam, kms, s3 = client(root, "iam"), client(root, "kms"), client(root, "s3")

# Two readers, both allowed s3:GetObject by their own policies; the key policy grants kms:Decrypt
# (through S3 only) to the first.
readers = {}
for name in ("granted", "ungranted"):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::boto-logs/*"}]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    readers[name] = session(key["AccessKeyId"], key["SecretAccessKey"])
key_policy = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow the granted reader to decrypt through S3", "Effect": "Allow",
     "Principal": {"AWS": f"arn:aws:iam::{account}:user/granted"}, "Action": "kms:Decrypt", "Resource": "*",
     "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}
key_arn = kms.create_key(Policy=json.dumps(key_policy))["KeyMetadata"]["Arn"]
passed("key created with a key policy granting kms:Decrypt")

s3.create_bucket(Bucket="boto-logs")
src = os.path.join(workdir, "big.bin")
with open(src, "wb") as f:
    f.write(os.urandom(20 * 1024 * 1024 + 17))
multipart = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024)
s3.upload_file(src, "boto-logs", "AWSLogs/big.bin", ExtraArgs={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_arn},
               Config=multipart)
head = s3.head_object(Bucket="boto-logs", Key="AWSLogs/big.bin")
assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == key_arn, head
assert head["ETag"].endswith('-3"'), head["ETag"]
passed("SSE-KMS multipart upload (3 parts)")

back = os.path.join(workdir, "back.bin")
s3.download_file("boto-logs", "AWSLogs/big.bin", back, Config=multipart)
assert filecmp.cmp(src, back, shallow=False), "the download differs"
passed("download by the owner")

granted = client(readers["granted"], "s3")
mine = os.path.join(workdir, "granted.bin")
granted.download_file("boto-logs", "AWSLogs/big.bin", mine)
assert filecmp.cmp(src, mine, shallow=False), "the granted reader's download differs"
passed("the reader the key policy grants kms:Decrypt reads the object")

ungranted = client(readers["ungranted"], "s3")
refused("AccessDenied", ungranted.get_object, Bucket="boto-logs", Key="AWSLogs/big.bin")
passed("the reader without kms:Decrypt gets AccessDenied")

# A small SSE-KMS object with extra encryption context and a Bucket Key, read back.
s3.put_object(Bucket="boto-logs", Key="small.json", Body=b'{"Records":[]}', ServerSideEncryption="aws:kms",
              SSEKMSKeyId=key_arn, BucketKeyEnabled=True)
got = s3.get_object(Bucket="boto-logs", Key="small.json")
assert got["Body"].read() == b'{"Records":[]}' and got["BucketKeyEnabled"] is True, got
passed("SSE-KMS put and get with a Bucket Key")

# CloudTrail's bucket policy (C.4), as the trail's bucket owner pastes it.
with open(os.path.join(workdir, "c4.json")) as f:
    policy = f.read()
s3.create_bucket(Bucket="c4-boto3")
s3.put_bucket_policy(Bucket="c4-boto3", Policy=policy)
assert s3.get_bucket_policy(Bucket="c4-boto3")["Policy"] == policy
passed("the C.4 bucket policy is accepted and read back")
refused("MalformedPolicy", s3.put_bucket_policy, Bucket="c4-boto3", Policy=policy.replace("c4-boto3", "<bucket>"))
passed("the C.4 policy with its placeholders is refused")
