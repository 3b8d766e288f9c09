package lake

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/store"
)

// importBase numbers the chunks of imported events: after every journal position, so that a
// store's chunk keys stay apart and its reader yields the imported events after the ingested.
const importBase = uint64(1) << 63

// maxLogFile bounds a log file an import reads (uncompressed).
const maxLogFile = 256 << 20

// errImportStopped ends the copy of an import stopped (or gone) meanwhile.
var errImportStopped = errors.New("lake: import stopped")

// RunImports moves each import under way one step on: an INITIALIZING import lists its log
// files as its role and is IN_PROGRESS; an IN_PROGRESS import copies the files it has yet to
// copy, each in one transaction with its events' chunks, and is COMPLETED, or FAILED when a file
// failed (ListImportFailures says which and why). Run calls it every interval; a flush too.
func (s *Service) RunImports(ctx context.Context) error {
	if s.objects == nil || s.roles == nil {
		return nil
	}
	var due []*importRecord
	if err := s.db.View(ctx, func(tx store.Tx) error {
		return imports.Scan(tx, "", "", func(_ string, im *importRecord) error {
			if im.ongoing() {
				due = append(due, im)
			}
			return nil
		})
	}); err != nil {
		return err
	}
	for _, im := range due {
		var err error
		if im.Status == ImportInitializing {
			err = s.listImport(ctx, im)
		} else {
			err = s.copyImport(ctx, im)
		}
		if err != nil && !errors.Is(err, errImportStopped) {
			return err
		}
	}
	return nil
}

// saveImport applies fn to the stored import in one transaction, unless it is no longer in
// status: errImportStopped then.
func (s *Service) saveImport(ctx context.Context, im *importRecord, status string, fn func(tx store.Tx, cur *importRecord) error) error {
	return s.db.Update(ctx, func(tx store.Tx) error {
		cur, err := imports.Get(tx, im.key())
		if err != nil {
			return err
		}
		if cur == nil || cur.Status != status {
			return errImportStopped
		}
		if err := fn(tx, cur); err != nil {
			return err
		}
		cur.Updated = s.now().UTC()
		*im = *cur
		return imports.Put(tx, cur.key(), cur)
	})
}

// listImport lists an INITIALIZING import's files, keeping those a retried import copied.
func (s *Service) listImport(ctx context.Context, im *importRecord) error {
	sctx, err := s.importRole(ctx, im)
	var files []importFile
	if err == nil {
		files, err = s.logFiles(sctx, im)
	}
	ae, refused := awserr.As(err)
	if err != nil && !refused {
		return err
	}
	return s.saveImport(ctx, im, ImportInitializing, func(_ store.Tx, cur *importRecord) error {
		if refused {
			cur.fail(cur.Source.S3LocationURI, ae, s.now().UTC())
			cur.Status = ImportFailed
			return nil
		}
		done := map[string]bool{}
		for _, f := range cur.Files {
			done[f.Key] = f.Done
		}
		for i := range files {
			files[i].Done = done[files[i].Key]
		}
		cur.Files, cur.Status = files, ImportInProgress
		cur.countPrefixes()
		return nil
	})
}

// copyImport copies an IN_PROGRESS import's files into its store, then ends it. It holds the
// ingestion lock throughout: what the store holds, and what ingestion has yet to take, do not
// change under it (see dedup).
func (s *Service) copyImport(ctx context.Context, im *importRecord) error {
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	// Another run may have moved the import on while this one waited for the lock.
	if err := s.db.View(ctx, func(tx store.Tx) error {
		cur, err := imports.Get(tx, im.key())
		if err == nil && (cur == nil || cur.Status != ImportInProgress) {
			return errImportStopped
		}
		if err == nil {
			*im = *cur
		}
		return err
	}); err != nil {
		return err
	}
	now := s.now().UTC()
	r, err := s.importStore(ctx, im)
	var seen *dedup
	if err == nil {
		seen, err = s.newDedup(ctx, r)
	}
	if ae, ok := awserr.As(err); ok {
		return s.finishImport(ctx, im, func(cur *importRecord) { cur.fail(cur.Destination, ae, now) })
	}
	if err != nil {
		return err
	}
	sctx, err := s.importRole(ctx, im)
	if ae, ok := awserr.As(err); ok {
		return s.finishImport(ctx, im, func(cur *importRecord) { cur.fail(cur.Source.S3LocationURI, ae, now) })
	}
	if err != nil {
		return err
	}
	var failures []failureRecord
	for i := range im.Files {
		if im.Files[i].Done {
			continue
		}
		key := im.Files[i].Key
		err := s.copyFile(ctx, sctx, im, r, key, seen)
		if ae, ok := awserr.As(err); ok {
			failures = append(failures, failureRecord{Location: im.locationOf(key), Type: string(ae.Code), Message: ae.Message, Time: s.now().UTC()})
			continue
		}
		if err != nil {
			return err
		}
	}
	return s.finishImport(ctx, im, func(cur *importRecord) { cur.Failures = append(cur.Failures, failures...) })
}

// finishImport ends an IN_PROGRESS import after note: FAILED with failures, else COMPLETED.
func (s *Service) finishImport(ctx context.Context, im *importRecord, note func(cur *importRecord)) error {
	return s.saveImport(ctx, im, ImportInProgress, func(_ store.Tx, cur *importRecord) error {
		note(cur)
		cur.Stats.FailedEntries = int64(len(cur.Failures))
		cur.Status = ImportCompleted
		if len(cur.Failures) > 0 {
			cur.Status = ImportFailed
		}
		return nil
	})
}

// importStore returns an import's destination store, which must still be there and active.
func (s *Service) importStore(ctx context.Context, im *importRecord) (*storeRecord, error) {
	var r *storeRecord
	if err := s.db.View(ctx, func(tx store.Tx) (err error) {
		r, err = stores.Get(tx, im.StoreKey)
		return err
	}); err != nil {
		return nil, err
	}
	switch {
	case r == nil:
		return nil, awserr.New(notFound, "The specified event data store %s was not found.", im.Destination)
	case r.Status == StatusPendingDeletion:
		return nil, awserr.New(inactive, "The event data store %s is inactive.", im.Destination)
	}
	return r, nil
}

// dedup is what an import must not copy into a store: the eventIDs the store holds (its
// chunks, opened as CloudTrail, loaded as the files' event times need them) and those ingestion
// has yet to take from the journal (behind the store's cursor nothing is taken again). With the
// ingestion lock held, neither changes until the import's chunks are stored, so an event reaches
// the store once, whichever way comes first.
type dedup struct {
	r       *storeRecord
	seen    map[string]bool
	chunks  []chunkSpan // the store's chunks not loaded yet
	wrapped map[string]*dataKeyRecord
	plain   map[string][]byte
}

// chunkSpan is a stored chunk's key and event times.
type chunkSpan struct {
	key            string
	oldest, newest time.Time
}

// newDedup notes r's chunks and takes the eventIDs ingestion has yet to take.
func (s *Service) newDedup(ctx context.Context, r *storeRecord) (*dedup, error) {
	d := &dedup{r: r, seen: map[string]bool{}, wrapped: map[string]*dataKeyRecord{}, plain: map[string][]byte{}}
	prefix := r.storeKey() + "/"
	var c *ingestRecord
	if err := s.db.View(ctx, func(tx store.Tx) (err error) {
		if err := chunkMetas.Scan(tx, prefix, "", func(key string, m *chunkMeta) error {
			d.chunks = append(d.chunks, chunkSpan{key, m.Oldest, m.Newest})
			return nil
		}); err != nil {
			return err
		}
		if err := dataKeys.Scan(tx, prefix, "", func(key string, k *dataKeyRecord) error {
			d.wrapped[strings.TrimPrefix(key, prefix)] = k
			return nil
		}); err != nil {
			return err
		}
		c, err = cursors.Get(tx, r.storeKey())
		return err
	}); err != nil || c == nil || s.journal == nil {
		return d, err
	}
	head := s.journal.Next()
	err := s.journal.Scan(c.Cursor, c.end(head), func(e *events.Event) error {
		if !c.inGap(e.Seq) && r.takes(e) {
			d.seen[e.EventID(r.Account)] = true
		}
		return nil
	})
	return d, err
}

// load adds the eventIDs of the chunks with events between lo and hi (a second of slack either
// side: a record's eventTime is whole seconds, a chunk's bounds are not).
func (s *Service) load(ctx context.Context, d *dedup, lo, hi time.Time) error {
	lo, hi = lo.Add(-time.Second), hi.Add(time.Second)
	kept := d.chunks[:0]
	var due []string
	for _, c := range d.chunks {
		if c.newest.Before(lo) || c.oldest.After(hi) {
			kept = append(kept, c)
		} else {
			due = append(due, c.key)
		}
	}
	d.chunks = kept
	for _, key := range due {
		if err := s.chunkIDs(ctx, d, key); err != nil {
			return err
		}
	}
	return nil
}

// chunkIDs adds the eventIDs of one chunk to d.
func (s *Service) chunkIDs(ctx context.Context, d *dedup, key string) error {
	var m *chunkMeta
	var b *chunkBody
	if err := s.db.View(ctx, func(tx store.Tx) (err error) {
		if m, err = chunkMetas.Get(tx, key); err != nil {
			return err
		}
		b, err = chunkData.Get(tx, key)
		return err
	}); err != nil || m == nil || b == nil {
		return err
	}
	dk, ok := d.plain[m.Key]
	if !ok {
		var err error
		if dk, err = s.cloudTrailKey(ctx, d.r, m.Key, d.wrapped[m.Key]); err != nil {
			return err
		}
		d.plain[m.Key] = dk
	}
	entries, err := openChunk(d.r, m, b, dk)
	if err != nil {
		return err
	}
	var rec struct {
		EventID string `json:"eventID"`
	}
	var bad error
	err = eachEntry(entries, func(_ time.Time, raw []byte) bool {
		rec.EventID = ""
		if bad = json.Unmarshal(raw, &rec); bad != nil {
			return false
		}
		d.seen[rec.EventID] = true
		return true
	})
	if err == nil {
		err = bad
	}
	return err
}

// cloudTrailKey unwraps a data key of r as CloudTrail does to read the store: the barrier's, or
// a KMS key's by Decrypt as cloudtrail.amazonaws.com (a key disabled, pending deletion or no
// longer allowing CloudTrail refuses, and the import fails with KMS's error).
func (s *Service) cloudTrailKey(ctx context.Context, r *storeRecord, name string, rec *dataKeyRecord) ([]byte, error) {
	if rec == nil {
		return nil, fmt.Errorf("lake: data key %s of %s is missing", name, r.ARN())
	}
	if rec.Kind == kindKeytrail {
		dk, err := s.keytrailKey(r, name, rec)
		if err != nil {
			return nil, err
		}
		return dk.plain, nil
	}
	cctx := kms.InRegion(request.WithFacts(identity.WithPrincipal(ctx, cloudTrail), request.Facts{ID: request.NewID(s.rand),
		Service: "cloudtrail", Region: r.Region, Time: s.now().UTC(), Delivery: true}), r.Region)
	out, err := s.keys.Decrypt(cctx, &kms.DecryptInput{CiphertextBlob: rec.Wrapped, EncryptionContext: map[string]string{"aws:cloudtrail:arn": r.ARN()}, KeyID: rec.KeyARN})
	if err != nil {
		return nil, err
	}
	return out.Plaintext, nil
}

// trailRecord is what an import reads of a log file's record.
type trailRecord struct {
	EventID   string    `json:"eventID"`
	EventTime time.Time `json:"eventTime"`
}

// copyFile copies one log file into r: it reads it as the import role (S3 decrypting it through
// KMS as that role), keeps the records within the import's window and the store's retention
// period that the store does not hold, and stores them as chunks in the transaction that notes
// the file done. An AWS-shaped error is the file's failure.
func (s *Service) copyFile(ctx, sctx context.Context, im *importRecord, r *storeRecord, key string, d *dedup) error {
	bucket, _ := im.location()
	obj, err := s.objects.GetObject(sctx, &s3.GetObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		return err
	}
	records, err := readLogFile(obj.Body)
	if err != nil {
		return err
	}
	cutoff := r.cutoff(s.now())
	type kept struct {
		trailRecord
		raw []byte
	}
	var keep []kept
	var lo, hi time.Time
	for _, raw := range records {
		var tr trailRecord
		if err := json.Unmarshal(raw, &tr); err != nil || tr.EventID == "" || tr.EventTime.IsZero() {
			return awserr.New("InvalidLogFile", "A record of the log file is not a CloudTrail event.")
		}
		if !im.inWindow(tr.EventTime) || tr.EventTime.Before(cutoff) || len(raw) > maxRecord {
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return awserr.New("InvalidLogFile", "A record of the log file is not valid JSON.")
		}
		if len(keep) == 0 || tr.EventTime.Before(lo) {
			lo = tr.EventTime
		}
		if len(keep) == 0 || tr.EventTime.After(hi) {
			hi = tr.EventTime
		}
		keep = append(keep, kept{tr, buf.Bytes()})
	}
	if len(keep) > 0 {
		if err := s.load(ctx, d, lo, hi); err != nil {
			return err
		}
	}
	var chunks []*chunk
	var ids []string
	for _, k := range keep {
		if d.seen[k.EventID] {
			continue
		}
		d.seen[k.EventID] = true
		ids = append(ids, k.EventID)
		if len(chunks) == 0 || chunks[len(chunks)-1].count >= maxChunk {
			chunks = append(chunks, &chunk{})
		}
		chunks[len(chunks)-1].addRecord(k.EventTime.UTC(), k.raw)
	}
	err = s.storeImported(ctx, im, r, key, chunks)
	if err != nil {
		for _, id := range ids {
			delete(d.seen, id)
		}
	}
	return err
}

// storeImported stores a file's chunks sealed under the store's data key and notes the file
// done, in one transaction: a file is copied exactly when it is noted done.
func (s *Service) storeImported(ctx context.Context, im *importRecord, r *storeRecord, key string, chunks []*chunk) error {
	var dk *dataKey
	sealed := make([]*chunkRecord, len(chunks))
	if len(chunks) > 0 {
		var err error
		if dk, err = s.dataKey(ctx, r); err != nil {
			return err
		}
	}
	return s.saveImport(ctx, im, ImportInProgress, func(tx store.Tx, cur *importRecord) error {
		if rec, err := stores.Get(tx, r.storeKey()); err != nil || rec == nil {
			return importStoreGone(r, err)
		}
		next, err := nextImportSeq(tx, r)
		if err != nil {
			return err
		}
		n := 0
		for i, ch := range chunks {
			ch.from, ch.to = next, next+1
			next++
			if sealed[i], err = ch.seal(dk, r); err != nil {
				return err
			}
			if err := s.putChunk(tx, r, ch, dk, sealed[i]); err != nil {
				return err
			}
			dk.fresh = false // stored with the first chunk
			n += ch.count
		}
		for i := range cur.Files {
			if cur.Files[i].Key == key {
				cur.Files[i].Done = true
			}
		}
		cur.Stats.FilesCompleted++
		cur.Stats.EventsCompleted += int64(n)
		cur.countPrefixes()
		return nil
	})
}

func importStoreGone(r *storeRecord, err error) error {
	if err != nil {
		return err
	}
	return awserr.New(notFound, "The specified event data store %s was not found.", r.ARN())
}

// nextImportSeq is the number of the store's next imported chunk.
func nextImportSeq(tx store.Tx, r *storeRecord) (uint64, error) {
	next := importBase
	err := chunkMetas.Scan(tx, r.storeKey()+"/", chunkKey(r, importBase), func(_ string, m *chunkMeta) error {
		if m.From >= next {
			next = m.From + 1
		}
		return nil
	})
	return next, err
}

// addRecord appends a record of event time t (an imported one, already rendered).
func (ch *chunk) addRecord(t time.Time, rec []byte) {
	ch.entries = binary.AppendVarint(ch.entries, t.UnixNano())
	ch.entries = binary.AppendUvarint(ch.entries, uint64(len(rec)))
	ch.entries = append(ch.entries, rec...)
	if ch.count == 0 || t.Before(ch.oldest) {
		ch.oldest = t
	}
	if ch.count == 0 || t.After(ch.newest) {
		ch.newest = t
	}
	ch.count++
}

// readLogFile returns the records of a gzip CloudTrail log file ({"Records":[…]}). CloudTrail
// copies only gzip log files: anything else is the file's failure.
func readLogFile(body io.ReadCloser) ([]json.RawMessage, error) {
	defer func() { _ = body.Close() }()
	zr, err := gzip.NewReader(body)
	if err != nil {
		return nil, awserr.New("InvalidLogFile", "The file is not a gzip-compressed CloudTrail log file: %v", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxLogFile+1))
	if err != nil {
		return nil, awserr.New("InvalidLogFile", "The file is not a gzip-compressed CloudTrail log file: %v", err)
	}
	if len(raw) > maxLogFile {
		return nil, awserr.New("InvalidLogFile", "The log file is larger than %d bytes uncompressed.", maxLogFile)
	}
	var f struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(raw, &f); err != nil || f.Records == nil {
		return nil, awserr.New("InvalidLogFile", "The file is not a CloudTrail log file ({\"Records\":[…]}).")
	}
	return f.Records, nil
}
