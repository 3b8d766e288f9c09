package lake

import (
	"context"
	"time"

	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/store"
)

// Backlog is how far an event data store's ingestion is behind the journal, for keytrail's
// metrics.
type Backlog struct {
	Store string // the event data store's ARN
	// Events counts the journal events its ingestion has not yet passed over, those it will
	// take and those it will skip.
	Events uint64
	// Oldest is the time of the first of them; zero when there is none.
	Oldest time.Time
}

// Backlogs reports every event data store's ingestion backlog.
func (s *Service) Backlogs(ctx context.Context) ([]Backlog, error) {
	if s.journal == nil {
		return nil, nil
	}
	var out []Backlog
	var from, to []uint64
	head := s.journal.Next()
	err := s.db.View(ctx, func(tx store.Tx) error {
		return stores.Scan(tx, "", "", func(_ string, r *storeRecord) error {
			b := Backlog{Store: r.ARN()}
			c, err := cursors.Get(tx, r.storeKey())
			if err != nil {
				return err
			}
			var cur, end uint64
			if c != nil {
				cur, end = c.Cursor, c.end(head)
			}
			if cur < end {
				b.Events = end - cur
			}
			out, from, to = append(out, b), append(from, cur), append(to, end)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Events == 0 {
			continue
		}
		// The cursor's event is the oldest waiting: the journal is in time order.
		if err := s.journal.Scan(from[i], to[i], func(e *events.Event) error {
			out[i].Oldest = e.Time
			return events.ErrStop
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}
