# The seed's whole setup for an encrypted CloudTrail trail and event data store, as one module:
# the key policy statements are those of "AWS KMS key policy for CloudTrail"
# (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html),
# the bucket policy that of "Amazon S3 bucket policy for CloudTrail"
# (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html).
# It declares no provider: the caller's provider "aws" points at AWS or at keytrail (README,
# "Terraform"). test/e2e/terraform_seed_test.go applies it against keytrail.

variable "bucket_name" {
  description = "The trail's log bucket."
  type        = string
}

variable "trail_name" {
  description = "The trail's name: the key policy names it in aws:SourceArn before it exists."
  type        = string
  default     = "management"
}

variable "alias_name" {
  description = "The trail key's alias."
  type        = string
  default     = "alias/cloudtrail"
}

variable "event_data_store_name" {
  description = "The CloudTrail Lake event data store's name."
  type        = string
  default     = "audit"
}

variable "reader_role_name" {
  description = "The role that reads the trail's log files and queries the event data store."
  type        = string
  default     = "CloudTrailReadRole"
}

variable "cloudtrail_can_encrypt" {
  description = "Whether the trail key's policy has the seed's \"Allow CloudTrail to encrypt logs\" statement. Without it CreateTrail fails with InsufficientEncryptionPolicyException."
  type        = bool
  default     = true
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.name
  partition = data.aws_partition.current.partition
  # The trail's ARN is known before the trail: the key policy and the bucket policy name it.
  trail_arn = "arn:${local.partition}:cloudtrail:${local.region}:${local.account}:trail/${var.trail_name}"
  root      = "arn:${local.partition}:iam::${local.account}:root"
}

# The reader: a role the account's principals may assume, allowed to read the log bucket; the
# trail key's policy lets it decrypt log files, and the event data store key's policy lets it
# use the store.
data "aws_iam_policy_document" "reader_trust" {
  statement {
    sid     = "Allow CloudTrail access"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [local.root]
    }
  }
}

resource "aws_iam_role" "reader" {
  name               = var.reader_role_name
  assume_role_policy = data.aws_iam_policy_document.reader_trust.json
}

data "aws_iam_policy_document" "reader" {
  statement {
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
  }
}

resource "aws_iam_role_policy" "reader" {
  name   = "read-trail-logs"
  role   = aws_iam_role.reader.id
  policy = data.aws_iam_policy_document.reader.json
}

# The trail key's policy: the seed's statements.
data "aws_iam_policy_document" "trail_key" {
  statement {
    sid       = "Enable IAM user permissions"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.root]
    }
  }

  dynamic "statement" {
    for_each = var.cloudtrail_can_encrypt ? [1] : []
    content {
      sid       = "Allow CloudTrail to encrypt logs"
      actions   = ["kms:GenerateDataKey*"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = ["cloudtrail.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceArn"
        values   = [local.trail_arn]
      }
      condition {
        test     = "StringLike"
        variable = "kms:EncryptionContext:aws:cloudtrail:arn"
        values   = ["arn:${local.partition}:cloudtrail:*:${local.account}:trail/*"]
      }
    }
  }

  # The seed names the key's own ARN here; a key policy cannot, before the key exists, and "*"
  # in a key policy is the key.
  statement {
    sid       = "Allow CloudTrail access"
    actions   = ["kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "Enable CloudTrail log decrypt permissions"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.reader.arn]
    }
    condition {
      test     = "Null"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = ["false"]
    }
  }
}

resource "aws_kms_key" "trail" {
  description             = "CloudTrail log files of ${var.trail_name}"
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.trail_key.json
}

resource "aws_kms_alias" "trail" {
  name          = var.alias_name
  target_key_id = aws_kms_key.trail.key_id
}

# The log bucket: CloudTrail's bucket policy, SSE-KMS under the trail key by default.
resource "aws_s3_bucket" "logs" {
  bucket        = var.bucket_name
  force_destroy = true
}

data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "AWSCloudTrailAclCheck20150319"
    actions   = ["s3:GetBucketAcl"]
    resources = [aws_s3_bucket.logs.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "AWSCloudTrailWrite20150319"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/AWSLogs/${local.account}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-acl"
      values   = ["bucket-owner-full-control"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.logs.json
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.trail.arn
    }
  }
}

resource "aws_cloudtrail" "trail" {
  name                       = var.trail_name
  s3_bucket_name             = aws_s3_bucket.logs.id
  kms_key_id                 = aws_kms_key.trail.arn
  enable_log_file_validation = true
  depends_on                 = [aws_s3_bucket_policy.logs, aws_s3_bucket_server_side_encryption_configuration.logs]
}

# The event data store's key: the seed's statements for event data stores.
data "aws_iam_policy_document" "lake_key" {
  statement {
    sid       = "Enable IAM user permissions"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.root]
    }
  }

  statement {
    sid       = "Allow CloudTrail to encrypt event data store"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }

  statement {
    sid       = "Enable user key permissions for event data stores"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.reader.arn]
    }
  }
}

resource "aws_kms_key" "lake" {
  description             = "CloudTrail Lake event data store ${var.event_data_store_name}"
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.lake_key.json
}

resource "aws_cloudtrail_event_data_store" "audit" {
  name                           = var.event_data_store_name
  kms_key_id                     = aws_kms_key.lake.arn
  termination_protection_enabled = false
  retention_period               = 90

  advanced_event_selector {
    name = "Management events"
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }
}

output "trail_arn" {
  value = aws_cloudtrail.trail.arn
}

output "trail_key_arn" {
  value = aws_kms_key.trail.arn
}

output "alias_arn" {
  value = aws_kms_alias.trail.arn
}

output "bucket" {
  value = aws_s3_bucket.logs.id
}

output "event_data_store_arn" {
  value = aws_cloudtrail_event_data_store.audit.arn
}

output "lake_key_arn" {
  value = aws_kms_key.lake.arn
}

output "reader_role_arn" {
  value = aws_iam_role.reader.arn
}
