package s3

import (
	"maps"
	"slices"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
)

// S3 error codes only this package answers (all 400).
const (
	codeInvalidStorageClass awserr.Code = "InvalidStorageClass"
	codeMetadataTooLarge    awserr.Code = "MetadataTooLarge"
)

// Enumerations of the S3 model (botocore data/s3/2006-03-01/service-2.json) that requests are
// checked against; enums_test.go holds each table to the model's enum of the same name.
var (
	objectCannedACLs = enum("private public-read public-read-write authenticated-read aws-exec-read bucket-owner-read bucket-owner-full-control")
	// BucketCannedACL, plus log-delivery-write, which the canned ACL table documents for buckets:
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl
	bucketCannedACLs = enum("private public-read public-read-write authenticated-read log-delivery-write")
	storageClasses   = enum("STANDARD REDUCED_REDUNDANCY STANDARD_IA ONEZONE_IA INTELLIGENT_TIERING GLACIER DEEP_ARCHIVE OUTPOSTS GLACIER_IR SNOW EXPRESS_ONEZONE FSX_OPENZFS FSX_ONTAP")
	// ServerSideEncryption values keytrail implements (aws:fsx and aws:kms:dsse are refused).
	serverSideEncryptions = enum("AES256 aws:kms")
	// ChecksumAlgorithm values keytrail implements (checksum.Algorithms, upper case).
	checksumAlgorithms = enum("CRC32 CRC32C CRC64NVME SHA1 SHA256")
)

// Enums returns the values S3 accepts, by the name of the model's enum shape they check.
func Enums() map[string][]string {
	out := map[string][]string{}
	for name, m := range map[string]map[string]bool{"ObjectCannedACL": objectCannedACLs, "BucketCannedACL": bucketCannedACLs,
		"StorageClass": storageClasses, "ServerSideEncryption": serverSideEncryptions, "ChecksumAlgorithm": checksumAlgorithms} {
		out[name] = slices.Sorted(maps.Keys(m))
	}
	return out
}

func enum(values string) map[string]bool {
	m := map[string]bool{}
	for _, v := range strings.Fields(values) {
		m[v] = true
	}
	return m
}

// Reserved bucket name prefixes and suffixes:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
var (
	reservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"} // sthree- covers sthree-configurator
	reservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// reservedBucketName reports whether a name uses a prefix or suffix S3 keeps for itself.
func reservedBucketName(name string) bool {
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	for _, s := range reservedSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

func malformedXML() error {
	return awserr.New(awserr.MalformedXML, "The XML you provided was not well-formed or did not validate against our published schema")
}
