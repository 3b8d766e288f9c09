package lake

import (
	"context"
	"errors"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/store"
)

// cursors are the stores' places in the event journal: <store key> → ingestRecord.
var cursors = store.Table[ingestRecord]{Name: "lake.ingest"}

// maxChunk bounds the events of one chunk; the rest of a backlog goes in the next.
const maxChunk = 10000

// seqRange is a half-open range of journal sequence numbers.
type seqRange struct {
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
}

// ingestRecord is where a store's ingestion stands (format version 1). Events before Cursor are
// in the store (or were dropped); the store takes the journal's events from Cursor to its head
// while it is ENABLED, and up to Stopped once it stopped, skipping the Gaps it was not ENABLED in.
type ingestRecord struct {
	store.Version
	Cursor  uint64     `json:"cursor"`
	Stopped uint64     `json:"stopped,omitempty"` // the journal's head when ingestion stopped; 0 while ENABLED
	Gaps    []seqRange `json:"gaps,omitempty"`
	// Ingested and Dropped count the events kept and the events refused for the store's key.
	Ingested int `json:"ingested"`
	Dropped  int `json:"dropped"`
	// KeyError is the last refusal of the store's key while it is unusable ("" once it works).
	KeyError     string    `json:"keyError,omitempty"`
	KeyErrorTime time.Time `json:"keyErrorTime,omitzero"`
}

// end is where the events the store takes end now.
func (c *ingestRecord) end(head uint64) uint64 {
	if c.Stopped == 0 {
		return head
	}
	return c.Stopped
}

func (c *ingestRecord) inGap(seq uint64) bool {
	for _, g := range c.Gaps {
		if g.From <= seq && seq < g.To {
			return true
		}
	}
	return false
}

// stop notes that the store stopped ingesting at head.
func (c *ingestRecord) stop(head uint64) {
	if c.Stopped == 0 {
		c.Stopped = head
	}
}

// resume starts ingesting at head: what the store had yet to ingest before it stopped still
// goes, and what happened while it was stopped does not.
func (c *ingestRecord) resume(head uint64) {
	switch {
	case c.Stopped == 0:
		return
	case c.Cursor < c.Stopped && c.Stopped < head:
		c.Gaps = append(c.Gaps, seqRange{c.Stopped, head})
	case c.Cursor < head:
		c.Cursor = head
	}
	c.Stopped = 0
}

// advance moves the cursor to to, forgetting the gaps behind it.
func (c *ingestRecord) advance(to uint64) {
	if to > c.Cursor {
		c.Cursor = to
	}
	gaps := c.Gaps[:0]
	for _, g := range c.Gaps {
		if g.To > c.Cursor {
			gaps = append(gaps, g)
		}
	}
	c.Gaps = gaps
}

// head is the journal's next sequence number: a new store takes the events from it on.
func (s *Service) head() uint64 {
	if s.journal == nil {
		return 1
	}
	return s.journal.Next()
}

// started notes a new store's place in the journal, in the transaction that stores it.
func (s *Service) started(tx store.Tx, r *storeRecord) error {
	head := s.head()
	c := &ingestRecord{Cursor: head}
	if r.Status != StatusEnabled {
		c.stop(head)
	}
	return cursors.Put(tx, r.storeKey(), c)
}

// statusChanged notes, in the transaction that changes it, a store's move into or out of
// ENABLED: only an ENABLED store ingests (StopEventDataStoreIngestion, DeleteEventDataStore).
func (s *Service) statusChanged(tx store.Tx, r *storeRecord, before string) error {
	was, is := before == StatusEnabled, r.Status == StatusEnabled
	if was == is {
		return nil
	}
	head := s.head()
	c, err := cursors.Get(tx, r.storeKey())
	if err != nil {
		return err
	}
	if c == nil {
		c = &ingestRecord{Cursor: head}
	}
	if is {
		c.resume(head)
	} else {
		c.stop(head)
	}
	return cursors.Put(tx, r.storeKey(), c)
}

// takes reports whether a store ingests e: an event of the store's account, from a Region the
// store covers, that its advanced event selectors select
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-event-data-store-cloudtrail.html).
func (r *storeRecord) takes(e *events.Event) bool {
	return e.For(r.Account) && (r.MultiRegion || e.Region == r.Region) && cloudtrail.MatchesAdvanced(r.Selectors, e)
}

// IngestSummary is what an ingestion did.
type IngestSummary struct {
	Stores  int      `json:"stores"`  // stores that took events
	Events  int      `json:"events"`  // events they took
	Dropped int      `json:"dropped"` // events refused because a store's key was unusable
	Errors  []string `json:"errors"`  // "<store ARN>: <KMS error code>" for each refusal
}

// Ingest brings every store up to the journal's head: each event of a store's account that the
// store takes reaches it exactly once, in journal order, encrypted at rest (see seal). While a
// store's KMS key is unusable (disabled, pending deletion, or CloudTrail's permissions removed)
// its events are dropped, counted and reported (see docs/decisions.md).
func (s *Service) Ingest(ctx context.Context) (IngestSummary, error) {
	sum := IngestSummary{Errors: []string{}}
	if s.journal == nil {
		return sum, nil
	}
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	var list []*storeRecord
	if err := s.db.View(ctx, func(tx store.Tx) error {
		return stores.Scan(tx, "", "", func(_ string, r *storeRecord) error {
			list = append(list, r)
			return nil
		})
	}); err != nil {
		return sum, err
	}
	head := s.journal.Next()
	for _, r := range list {
		took := 0
		for {
			b, err := s.ingestBatch(ctx, r, head)
			took += b.took
			sum.Dropped += b.dropped
			if b.keyErr != nil {
				sum.Errors = append(sum.Errors, r.ARN()+": "+string(b.keyErr.Code))
			}
			if err != nil {
				return sum, err
			}
			if !b.more || b.keyErr != nil {
				break
			}
		}
		if took > 0 {
			sum.Stores++
			sum.Events += took
		}
	}
	return sum, nil
}

// batch is what one step of a store's ingestion did.
type batch struct {
	took, dropped int
	more          bool          // a full chunk, with events still waiting
	keyErr        *awserr.Error // the store's key refused
}

// errGone ends the ingestion of a store deleted meanwhile.
var errGone = errors.New("lake: the store is gone")

// ingestBatch ingests the next chunk of a store's events up to head.
func (s *Service) ingestBatch(ctx context.Context, r *storeRecord, head uint64) (batch, error) {
	var c *ingestRecord
	if err := s.db.View(ctx, func(tx store.Tx) (err error) {
		c, err = cursors.Get(tx, r.storeKey())
		return err
	}); err != nil {
		return batch{}, err
	}
	if c == nil {
		// A store of a keytrail without ingestion: it takes the events from now on.
		return batch{}, s.db.Update(ctx, func(tx store.Tx) error {
			cur, err := stores.Get(tx, r.storeKey())
			if err != nil || cur == nil {
				return err
			}
			if c, err := cursors.Get(tx, r.storeKey()); err != nil || c != nil {
				return err
			}
			return s.started(tx, cur)
		})
	}
	end := c.end(head)
	if c.Cursor >= end {
		return batch{}, nil
	}
	ch := &chunk{from: c.Cursor, to: end}
	onlyDelivery := true
	err := s.journal.Scan(c.Cursor, end, func(e *events.Event) error {
		if ch.count >= maxChunk {
			ch.to = e.Seq
			return events.ErrStop
		}
		onlyDelivery = onlyDelivery && e.Delivery
		if !c.inGap(e.Seq) && r.takes(e) {
			ch.add(e, r.Account)
		}
		return nil
	})
	if err != nil {
		return batch{}, err
	}
	b := batch{more: ch.to < end}
	switch {
	case ch.count == 0:
		return b, s.commit(ctx, r, ch, nil, nil)
	case onlyDelivery:
		// Nothing but the events of keytrail's own deliveries and ingestions (this store's KMS
		// calls among them): they wait for a real event, so that an idle store stays idle.
		return batch{}, nil
	}
	dk, err := s.dataKey(ctx, r)
	if ae, ok := awserr.As(err); ok {
		b.dropped, b.keyErr = ch.count, ae
		s.log.Warn("event data store key unusable: events not ingested", "store", r.ARN(), "key", r.KMSKey,
			"events", ch.count, "code", string(ae.Code), "message", ae.Message)
		return b, s.commit(ctx, r, ch, nil, ae)
	}
	if err != nil {
		return batch{}, err
	}
	b.took = ch.count
	return b, s.commit(ctx, r, ch, dk, nil)
}

// commit stores a chunk sealed under dk (none: the chunk's events are dropped, refused is why)
// and moves the store's cursor past it, in one transaction: a chunk is in the store exactly
// when its events are behind the cursor.
func (s *Service) commit(ctx context.Context, r *storeRecord, ch *chunk, dk *dataKey, refused *awserr.Error) error {
	var sealed *chunkRecord
	if dk != nil {
		var err error
		if sealed, err = ch.seal(dk, r); err != nil {
			return err
		}
	}
	err := s.db.Update(ctx, func(tx store.Tx) error {
		cur, err := stores.Get(tx, r.storeKey())
		if err != nil {
			return err
		}
		c, err := cursors.Get(tx, r.storeKey())
		if err != nil {
			return err
		}
		if cur == nil || c == nil {
			return errGone
		}
		if sealed != nil {
			if err := s.putChunk(tx, r, ch, dk, sealed); err != nil {
				return err
			}
		}
		if s.afterWrite != nil {
			if err := s.afterWrite(); err != nil {
				return err
			}
		}
		c.advance(ch.to)
		switch {
		case refused != nil:
			c.Dropped += ch.count
			c.KeyError, c.KeyErrorTime = string(refused.Code)+": "+refused.Message, s.now().UTC()
		case sealed != nil:
			c.Ingested += ch.count
			c.KeyError, c.KeyErrorTime = "", time.Time{}
		}
		return cursors.Put(tx, r.storeKey(), c)
	})
	if errors.Is(err, errGone) {
		return nil
	}
	if err == nil && sealed != nil {
		s.chunkStored(ctx, r, chunkKey(r, ch.from), ch.entries)
	}
	return err
}

// IngestionStatus is where a store's ingestion stands.
type IngestionStatus struct {
	Ingested, Dropped int
	// KeyError is the last refusal of the store's KMS key while it is unusable: "<code>: <message>",
	// empty once the key works again.
	KeyError     string
	KeyErrorTime time.Time
}

// IngestionStatus reports a store's ingestion, as the caller sees the store (GetEventDataStore
// has no member for it: this is keytrail's own). Authorized as GetEventDataStore. Errors:
// EventDataStoreARNInvalidException, EventDataStoreNotFoundException, AccessDeniedException.
func (s *Service) IngestionStatus(ctx context.Context, ref string) (*IngestionStatus, error) {
	_, r, err := s.target(ctx, "GetEventDataStore", ref, false)
	if err != nil {
		return nil, err
	}
	var c *ingestRecord
	if err := s.db.View(ctx, func(tx store.Tx) (err error) {
		c, err = cursors.Get(tx, r.storeKey())
		return err
	}); err != nil {
		return nil, err
	}
	if c == nil {
		return &IngestionStatus{}, nil
	}
	return &IngestionStatus{Ingested: c.Ingested, Dropped: c.Dropped, KeyError: c.KeyError, KeyErrorTime: c.KeyErrorTime}, nil
}
