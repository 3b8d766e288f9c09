package events

import "strings"

// readOnlyOps are the operations CloudTrail records as readOnly beyond those whose names say so
// (Get…, List…, Describe…, Head…, Lookup…): KMS's cryptographic operations.
var readOnlyOps = map[string]bool{
	"kms.Encrypt": true, "kms.Decrypt": true, "kms.ReEncrypt": true, "kms.GenerateDataKey": true,
	"kms.GenerateDataKeyWithoutPlaintext": true, "kms.GenerateDataKeyPair": true,
	"kms.GenerateDataKeyPairWithoutPlaintext": true, "kms.GenerateRandom": true, "kms.Sign": true,
	"kms.Verify": true, "kms.GenerateMac": true, "kms.VerifyMac": true,
}

// ReadOnly reports whether a service's operation only reads.
func ReadOnly(service, op string) bool {
	for _, p := range [...]string{"Get", "List", "Describe", "Head", "Lookup"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return readOnlyOps[service+"."+op]
}

// s3DataOps are S3's object-level operations: CloudTrail data events, not management events.
var s3DataOps = map[string]bool{}

func init() {
	for _, op := range strings.Fields(`GetObject PutObject HeadObject DeleteObject DeleteObjects CopyObject
		CreateMultipartUpload UploadPart UploadPartCopy CompleteMultipartUpload AbortMultipartUpload ListParts
		GetObjectTagging PutObjectTagging DeleteObjectTagging GetObjectAcl PutObjectAcl GetObjectAttributes
		ListObjects ListObjectsV2 ListMultipartUploads`) {
		s3DataOps[op] = true
	}
}

// Management reports whether a call is a management event (else a data event).
func Management(service, op string) bool {
	return !(service == "s3" && s3DataOps[op])
}

// globalServices record their events in us-east-1 whatever region the call named.
var globalServices = map[string]bool{"iam": true}

// Global reports whether a service is global: its events are global service events.
func Global(service string) bool { return globalServices[service] }
