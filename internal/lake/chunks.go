package lake

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/store"
)

// A store's events are kept as chunks: the events of one ingestion step, each entry its event
// time and its CloudTrail record, sealed with AES-256-GCM under a data key of the store's. The
// data keys are one per store, UTC day and kind: made by KMS from the store's key
// (GenerateDataKey as cloudtrail.amazonaws.com, encryption context {"aws:cloudtrail:arn": store
// ARN}) and kept wrapped; or, for a store without a KMS key, made by keytrail and sealed by its
// barrier. Only the chunks' bounds (journal range, event count, oldest and newest event time)
// are in clear.
//
// Chunks are records of the state store, not files: the chunk and the cursor past its events
// are committed in one transaction, so an ingestion cut short anywhere is redone whole and
// nothing is ingested twice or lost (see docs/decisions.md, "CloudTrail Lake").
var (
	chunkMetas = store.Table[chunkMeta]{Name: "lake.chunkmeta"} // <store key>/<first seq, 20 digits> → chunkMeta
	chunkData  = store.Table[chunkBody]{Name: "lake.chunks"}    // the same key → chunkBody
	dataKeys   = store.Table[dataKeyRecord]{Name: "lake.datakeys"}
)

// The kinds of a data key.
const (
	kindKMS      = "kms"      // from the store's KMS key
	kindKeytrail = "keytrail" // keytrail's own, sealed by the barrier
)

// chunkMeta is a chunk's bounds, in clear (format version 1).
type chunkMeta struct {
	store.Version
	From   uint64    `json:"from"` // the journal range it covers
	To     uint64    `json:"to"`
	Count  int       `json:"count"`
	Oldest time.Time `json:"oldest"`
	Newest time.Time `json:"newest"`
	Key    string    `json:"key"` // its data key: <day>/<kind>
}

// chunkBody is a chunk's sealed entries (format version 1).
type chunkBody struct {
	store.Version
	Nonce  []byte `json:"nonce"`
	Sealed []byte `json:"sealed"`
}

// dataKeyRecord is a wrapped data key (format version 1): KMS's ciphertext blob, or the
// barrier's sealing.
type dataKeyRecord struct {
	store.Version
	Kind    string    `json:"kind"`
	KeyARN  string    `json:"keyArn,omitempty"`
	Wrapped []byte    `json:"wrapped"`
	Created time.Time `json:"created"`
}

// dataKey is a data key in clear, for one ingestion step or one read.
type dataKey struct {
	name  string // <day>/<kind>
	plain []byte
	rec   *dataKeyRecord
	fresh bool // made now: stored with the chunk it seals
}

// chunk is the entries of one ingestion step, being built.
type chunk struct {
	from, to       uint64
	count          int
	oldest, newest time.Time
	entries        []byte // [event time: varint Unix ns][record length: uvarint][record]…
	scratch        []byte
}

// add appends e as account's record.
func (ch *chunk) add(e *events.Event, account string) {
	ch.scratch = e.AppendRecord(ch.scratch[:0], account)
	ch.entries = binary.AppendVarint(ch.entries, e.Time.UnixNano())
	ch.entries = binary.AppendUvarint(ch.entries, uint64(len(ch.scratch)))
	ch.entries = append(ch.entries, ch.scratch...)
	if ch.count == 0 || e.Time.Before(ch.oldest) {
		ch.oldest = e.Time
	}
	if ch.count == 0 || e.Time.After(ch.newest) {
		ch.newest = e.Time
	}
	ch.count++
}

func chunkKey(r *storeRecord, from uint64) string { return fmt.Sprintf("%s/%020d", r.storeKey(), from) }

// chunkAAD binds a sealed chunk to its store, its place and its data key.
func chunkAAD(r *storeRecord, from uint64, key string) []byte {
	return fmt.Appendf(nil, "lake/chunk/%s/%020d/%s", r.ARN(), from, key)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal seals the chunk's entries under dk.
func (ch *chunk) seal(dk *dataKey, r *storeRecord) (*chunkRecord, error) {
	aead, err := newGCM(dk.plain)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, err
	}
	meta := &chunkMeta{From: ch.from, To: ch.to, Count: ch.count, Oldest: ch.oldest, Newest: ch.newest, Key: dk.name}
	body := &chunkBody{Nonce: nonce, Sealed: aead.Seal(nil, nonce, ch.entries, chunkAAD(r, ch.from, dk.name))}
	return &chunkRecord{meta, body}, nil
}

// chunkRecord is a sealed chunk, as stored.
type chunkRecord struct {
	meta *chunkMeta
	body *chunkBody
}

// putChunk stores a sealed chunk, and its data key when it is new.
func (s *Service) putChunk(tx store.Tx, r *storeRecord, ch *chunk, dk *dataKey, c *chunkRecord) error {
	if dk.fresh {
		if err := dataKeys.Put(tx, r.storeKey()+"/"+dk.name, dk.rec); err != nil {
			return err
		}
	}
	key := chunkKey(r, ch.from)
	if err := chunkMetas.Put(tx, key, c.meta); err != nil {
		return err
	}
	return chunkData.Put(tx, key, c.body)
}

// openChunk returns a chunk's entries, decrypted in place: b's sealed bytes become them (b is
// the caller's own copy, read from the store for this).
func openChunk(r *storeRecord, m *chunkMeta, b *chunkBody, key []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(b.Nonce) != aead.NonceSize() {
		return nil, errCorruptChunk
	}
	plain, err := aead.Open(b.Sealed[:0], b.Nonce, b.Sealed, chunkAAD(r, m.From, m.Key))
	if err != nil {
		return nil, fmt.Errorf("lake: chunk %d of %s: %w", m.From, r.ARN(), err)
	}
	return plain, nil
}

var errCorruptChunk = errors.New("lake: corrupt chunk")

// maxRecord bounds a record in a chunk: the journal's entries are at most 1 MiB.
const maxRecord = 1 << 20

// eachEntry calls fn with each entry of a chunk's entries until it returns false.
func eachEntry(entries []byte, fn func(t time.Time, record []byte) bool) error {
	for len(entries) > 0 {
		t, n := binary.Varint(entries)
		if n <= 0 {
			return errCorruptChunk
		}
		entries = entries[n:]
		size, n := binary.Uvarint(entries)
		if n <= 0 || size > maxRecord {
			return errCorruptChunk
		}
		end := n + int(size)
		if end > len(entries) {
			return errCorruptChunk
		}
		rec := entries[n:end]
		entries = entries[end:]
		if !fn(time.Unix(0, t).UTC(), rec) {
			return nil
		}
	}
	return nil
}

// dataKeyName names the data key of the store's kind on day.
func dataKeyName(r *storeRecord, day time.Time) string {
	kind := kindKeytrail
	if r.KMSKey != "" {
		kind = kindKMS
	}
	return day.UTC().Format("20060102") + "/" + kind
}

// dataKey returns today's data key of the store, to seal a chunk with. A KMS key is used as
// CloudTrail uses it, as cloudtrail.amazonaws.com: today's data key is made with
// GenerateDataKey, or unwrapped with Decrypt, at every ingestion step; so a key that is disabled,
// pending deletion or no longer allows CloudTrail is refused at the next step (an AWS-shaped
// error).
func (s *Service) dataKey(ctx context.Context, r *storeRecord) (*dataKey, error) {
	name := dataKeyName(r, s.now())
	var rec *dataKeyRecord
	if err := s.db.View(ctx, func(tx store.Tx) (err error) {
		rec, err = dataKeys.Get(tx, r.storeKey()+"/"+name)
		return err
	}); err != nil {
		return nil, err
	}
	if r.KMSKey == "" {
		return s.keytrailKey(r, name, rec)
	}
	ec := map[string]string{"aws:cloudtrail:arn": r.ARN()}
	cctx := kms.InRegion(request.WithFacts(identity.WithPrincipal(ctx, cloudTrail), request.Facts{ID: request.NewID(s.rand),
		Service: "cloudtrail", Region: r.Region, Time: s.now().UTC(), Delivery: true}), r.Region)
	if rec != nil {
		out, err := s.keys.Decrypt(cctx, &kms.DecryptInput{CiphertextBlob: rec.Wrapped, EncryptionContext: ec, KeyID: rec.KeyARN})
		if err != nil {
			return nil, err
		}
		return &dataKey{name: name, plain: out.Plaintext, rec: rec}, nil
	}
	in := &kms.GenerateDataKeyInput{}
	in.KeyID, in.KeySpec, in.EncryptionContext = r.KMSKey, "AES_256", ec
	out, err := s.keys.GenerateDataKey(cctx, in)
	if err != nil {
		return nil, err
	}
	rec = &dataKeyRecord{Kind: kindKMS, KeyARN: out.KeyID, Wrapped: out.CiphertextBlob, Created: s.now().UTC()}
	return &dataKey{name: name, plain: out.Plaintext, rec: rec, fresh: true}, nil
}

// keytrailPurpose binds a barrier-sealed data key to its store and name.
func keytrailPurpose(r *storeRecord, name string) string {
	return "lake/datakey/" + r.ARN() + "/" + name
}

// keytrailKey returns (or makes) a data key of keytrail's own, sealed by the barrier.
func (s *Service) keytrailKey(r *storeRecord, name string, rec *dataKeyRecord) (*dataKey, error) {
	if s.barrier == nil {
		return nil, errors.New("lake: no barrier to seal the data keys of stores without a KMS key")
	}
	if rec != nil {
		plain, err := s.barrier.Open(rec.Wrapped, keytrailPurpose(r, name))
		if err != nil {
			return nil, err
		}
		return &dataKey{name: name, plain: plain, rec: rec}, nil
	}
	plain := make([]byte, 32)
	if _, err := io.ReadFull(rand.Reader, plain); err != nil {
		return nil, err
	}
	wrapped, err := s.barrier.Seal(plain, keytrailPurpose(r, name))
	if err != nil {
		return nil, err
	}
	rec = &dataKeyRecord{Kind: kindKeytrail, Wrapped: wrapped, Created: s.now().UTC()}
	return &dataKey{name: name, plain: plain, rec: rec, fresh: true}, nil
}

// cutoff is the time before which a store's events are past its retention period
// (RetentionPeriod, in days: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateEventDataStore.html).
func (r *storeRecord) cutoff(now time.Time) time.Time {
	return now.Add(-time.Duration(r.Retention) * 24 * time.Hour)
}

// expire removes a store's chunks whose every event is past its retention period, and the data
// keys no chunk needs any more (today's stays, for the next chunk).
func expire(tx store.Tx, r *storeRecord, now time.Time) error {
	cutoff := r.cutoff(now)
	prefix := r.storeKey() + "/"
	var old []string
	used := map[string]bool{dataKeyName(r, now): true}
	err := chunkMetas.Scan(tx, prefix, "", func(key string, m *chunkMeta) error {
		if m.Newest.Before(cutoff) {
			old = append(old, key)
		} else {
			used[m.Key] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range old {
		if err := deleteChunk(tx, key); err != nil {
			return err
		}
	}
	var unused []string
	if err := dataKeys.Scan(tx, prefix, "", func(key string, _ *dataKeyRecord) error {
		if !used[strings.TrimPrefix(key, prefix)] {
			unused = append(unused, key)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, key := range unused {
		if err := dataKeys.Delete(tx, key); err != nil {
			return err
		}
	}
	return nil
}

func deleteChunk(tx store.Tx, key string) error {
	if err := chunkMetas.Delete(tx, key); err != nil {
		return err
	}
	return chunkData.Delete(tx, key)
}

// purgeData removes everything a purged store kept: its chunks, data keys and cursor.
func purgeData(tx store.Tx, storeKey string) error {
	var keys []string
	if err := chunkMetas.Scan(tx, storeKey+"/", "", func(key string, _ *chunkMeta) error {
		keys = append(keys, key)
		return nil
	}); err != nil {
		return err
	}
	for _, key := range keys {
		if err := deleteChunk(tx, key); err != nil {
			return err
		}
	}
	keys = keys[:0]
	if err := dataKeys.Scan(tx, storeKey+"/", "", func(key string, _ *dataKeyRecord) error {
		keys = append(keys, key)
		return nil
	}); err != nil {
		return err
	}
	for _, key := range keys {
		if err := dataKeys.Delete(tx, key); err != nil {
			return err
		}
	}
	return cursors.Delete(tx, storeKey)
}
