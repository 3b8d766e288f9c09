package s3

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/keytrail/keytrail/internal/kms"
)

// bucketKeyLifetime bounds how long a bucket-level key is reused before S3 asks KMS again.
const bucketKeyLifetime = 5 * time.Minute

// bucketKeys caches bucket-level keys by caller, KMS key and context, so that a writer makes one
// GenerateDataKey per period instead of one per object (the point of S3 Bucket Keys). Each
// caller gets its own: a principal that may not use the KMS key is refused at its first write.
type bucketKeys struct {
	mu   sync.Mutex
	keys map[string]*bucketKey
}

type bucketKey struct {
	plain   []byte
	blob    []byte
	keyARN  string
	expires time.Time
}

// bucketKey returns a bucket-level key for the context, from the cache or from KMS (as the
// caller, through S3, in region: the bucket's).
func (s *Service) bucketKey(ctx context.Context, c *call, region, kmsKeyID string, ec map[string]string) (*bucketKey, error) {
	names := make([]string, 0, len(ec))
	for k := range ec {
		names = append(names, k)
	}
	sort.Strings(names)
	var id strings.Builder
	id.WriteString(c.P.ARN + "|" + c.P.Service + "|" + region + "|" + kmsKeyID)
	for _, k := range names {
		id.WriteString("|" + k + "=" + ec[k])
	}
	now := s.now()
	s.bks.mu.Lock()
	if bk, ok := s.bks.keys[id.String()]; ok && now.Before(bk.expires) {
		s.bks.mu.Unlock()
		return bk, nil
	}
	s.bks.mu.Unlock()
	gin := &kms.GenerateDataKeyInput{}
	gin.KeyID, gin.KeySpec, gin.EncryptionContext = kmsKeyID, "AES_256", ec
	out, err := s.kms.GenerateDataKey(viaS3(ctx, region), gin)
	if err != nil {
		return nil, kmsError(err)
	}
	bk := &bucketKey{plain: out.Plaintext, blob: out.CiphertextBlob, keyARN: out.KeyID, expires: now.Add(bucketKeyLifetime)}
	s.bks.mu.Lock()
	if s.bks.keys == nil || len(s.bks.keys) > 4096 {
		s.bks.keys = map[string]*bucketKey{}
	}
	s.bks.keys[id.String()] = bk
	s.bks.mu.Unlock()
	return bk, nil
}

// deriveObjectKey derives an object's key from a bucket-level key and the object's key ID.
func deriveObjectKey(bucketKey []byte, id string) ([]byte, error) {
	return hkdf.Key(sha256.New, bucketKey, []byte(id), "keytrail s3 bucket key object", 32)
}
