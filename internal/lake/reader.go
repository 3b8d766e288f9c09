package lake

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/store"
)

// errStopped ends a read whose consumer stopped.
var errStopped = errors.New("lake: stopped")

// Events returns the CloudTrail records of a store (its ARN or ID, as the caller sees it), in the
// order they were recorded, within its retention period, for the query side: each record as JSON
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
//
// The store's data keys are unwrapped before the first record, a KMS key's through KMS as the
// caller (kms:Decrypt through the key policy and the caller's identity policies, with
// kms:ViaService CloudTrail in the store's Region), so that a caller without kms:Decrypt, or a
// key that is disabled or pending deletion, fails the read before it yields anything, as
// StartQuery does (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartQuery.html).
// The caller's authorization to query (cloudtrail:StartQuery) is the query side's.
//
// Errors, as the first and only yield: EventDataStoreARNInvalidException,
// EventDataStoreNotFoundException, InactiveEventDataStoreException,
// InsufficientEncryptionPolicyException, AccessDeniedException (no caller).
func (s *Service) Events(ctx context.Context, ref string) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		err := s.read(ctx, ref, func(rec []byte) bool { return yield(rec, nil) })
		if err != nil && !errors.Is(err, errStopped) {
			yield(nil, err)
		}
	}
}

// read calls yield with each record of the store ref names until it returns false.
func (s *Service) read(ctx context.Context, ref string, yield func([]byte) bool) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	r, err := s.find(c, ref)
	if err != nil {
		return err
	}
	if r.Status == StatusPendingDeletion {
		return awserr.New(inactive, "The event data store %s is inactive.", r.ARN())
	}
	cutoff := r.cutoff(s.now())
	prefix := r.storeKey() + "/"
	var metas []string
	wrapped := map[string]*dataKeyRecord{}
	if err := s.db.View(ctx, func(tx store.Tx) error {
		err := chunkMetas.Scan(tx, prefix, "", func(key string, m *chunkMeta) error {
			if !m.Newest.Before(cutoff) {
				metas = append(metas, key)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return dataKeys.Scan(tx, prefix, "", func(key string, k *dataKeyRecord) error {
			wrapped[strings.TrimPrefix(key, prefix)] = k
			return nil
		})
	}); err != nil {
		return err
	}
	plain := map[string][]byte{}
	for _, key := range metas {
		if err := s.readChunk(c, r, key, wrapped, plain, cutoff, yield); err != nil {
			return err
		}
	}
	return nil
}

// readChunk yields the records of one chunk within the retention period, unwrapping its data
// key (into plain) the first time it is needed.
func (s *Service) readChunk(c *call, r *storeRecord, key string, wrapped map[string]*dataKeyRecord, plain map[string][]byte,
	cutoff time.Time, yield func([]byte) bool) error {
	var m *chunkMeta
	var b *chunkBody
	if err := s.db.View(c.Ctx, func(tx store.Tx) (err error) {
		if m, err = chunkMetas.Get(tx, key); err != nil {
			return err
		}
		b, err = chunkData.Get(tx, key)
		return err
	}); err != nil {
		return err
	}
	if m == nil || b == nil {
		return nil // expired meanwhile
	}
	dk, ok := plain[m.Key]
	if !ok {
		var err error
		if dk, err = s.unwrap(c, r, m.Key, wrapped[m.Key]); err != nil {
			return err
		}
		plain[m.Key] = dk
	}
	entries, err := openChunk(r, m, b, dk)
	if err != nil {
		return err
	}
	stopped := false
	err = eachEntry(entries, func(t time.Time, rec []byte) bool {
		if t.Before(cutoff) {
			return true
		}
		stopped = !yield(rec)
		return !stopped
	})
	if err != nil {
		return err
	}
	if stopped {
		return errStopped
	}
	return nil
}

// unwrap returns a data key in clear: the barrier opens keytrail's own; KMS decrypts a KMS key's
// as the caller. A refusal is InsufficientEncryptionPolicyException, the error StartQuery and
// GetQueryResults list for a key policy without sufficient permissions.
func (s *Service) unwrap(c *call, r *storeRecord, name string, rec *dataKeyRecord) ([]byte, error) {
	if rec == nil {
		return nil, fmt.Errorf("lake: data key %s of %s is missing", name, r.ARN())
	}
	if rec.Kind == kindKeytrail {
		if s.barrier == nil {
			return nil, errors.New("lake: no barrier to open the data keys of stores without a KMS key")
		}
		return s.barrier.Open(rec.Wrapped, keytrailPurpose(r, name))
	}
	ctx := kms.InRegion(authz.WithKeys(c.Ctx, authz.Map{"kms:ViaService": {"cloudtrail." + r.Region + ".amazonaws.com"}}), r.Region)
	out, err := s.keys.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rec.Wrapped, EncryptionContext: map[string]string{"aws:cloudtrail:arn": r.ARN()}, KeyID: rec.KeyARN})
	if ae, ok := awserr.As(err); ok {
		return nil, awserr.New(insufficientEncryption, "The data of event data store %s cannot be decrypted with KMS key %s for %s: %s",
			r.ARN(), rec.KeyARN, c.P.ARN, strings.TrimSpace(ae.Message))
	}
	if err != nil {
		return nil, err
	}
	return out.Plaintext, nil
}
