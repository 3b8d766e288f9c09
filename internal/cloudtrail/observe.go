package cloudtrail

import (
	"context"
	"time"

	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/store"
)

// DeliveryObserver is told what each delivery did, for keytrail's metrics (internal/metrics).
type DeliveryObserver interface {
	// Delivered is told of one trail's log files (kind "log_file", with the records in them) or
	// digest files (kind "digest"): how many were written, and the AWS error code that stopped
	// the delivery ("" when none did).
	Delivered(kind string, files, records int, code string)
}

// SetDeliveryObserver sets who is told of deliveries; call it before Run.
func (s *Service) SetDeliveryObserver(o DeliveryObserver) { s.observer = o }

// observe tells the observer, if any, of a delivery.
func (s *Service) observe(kind string, files, records int, code string) {
	if s.observer != nil {
		s.observer.Delivered(kind, files, records, code)
	}
}

// Backlog is how far a trail's delivery is behind the journal.
type Backlog struct {
	Trail string // the trail's ARN
	// Events counts the journal events the trail's delivery has not yet passed over: those it
	// will deliver and those it will skip (another account's, a region it does not cover).
	Events uint64
	// Oldest is the time of the first of them; zero when there is none.
	Oldest time.Time
}

// Backlogs reports every trail's delivery backlog (a stopped trail's up to where it stopped).
func (s *Service) Backlogs(ctx context.Context) ([]Backlog, error) {
	var out []Backlog
	var from, to []uint64
	head := s.journal.Next()
	err := s.db.View(ctx, func(tx store.Tx) error {
		return trails.Scan(tx, "", "", func(_ string, t *trailRecord) error {
			b := Backlog{Trail: t.ARN()}
			end := t.end(head)
			if t.Cursor < end {
				b.Events = end - t.Cursor
			}
			out, from, to = append(out, b), append(from, t.Cursor), append(to, end)
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
