package cloudtrail

import (
	"testing"
	"time"
)

// A digest's period: digest keys name the end time's second and sort in time order, so a digest
// in its predecessor's second (or the old chain's, after a restart) ends at the next second, and
// the files it could not cover go in the digest after it.
func TestNextPeriod(t *testing.T) {
	at := func(s float64) time.Time {
		return time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC).Add(time.Duration(s * float64(time.Second)))
	}
	chain := func(end, covered float64) *digestChain {
		c := &digestChain{End: at(end), Key: "prev"}
		if covered >= 0 {
			c.Covered = at(covered)
		}
		return c
	}
	for _, c := range []struct {
		name       string
		chainStart float64
		last       *digestChain
		now        float64
		want       period
		continues  bool
	}{
		{"the first digest", 0, nil, 5.5, period{start: at(0), end: at(5.5), from: at(0), to: at(5.5)}, false},
		{"a later second", 0, chain(5.5, 5.5), 9.2, period{start: at(5.5), end: at(9.2), from: at(5.5), to: at(9.2)}, true},
		{"the same second", 0, chain(5.5, 5.5), 5.9, period{start: at(5.5), end: at(6), from: at(5.5), to: at(5.9)}, true},
		{"after a digest that ended ahead", 0, chain(6, 5.9), 6.3, period{start: at(6), end: at(7), from: at(5.9), to: at(6.3)}, true},
		{"a chain stored without Covered", 0, chain(5.5, -1), 8, period{start: at(5.5), end: at(8), from: at(5.5), to: at(8)}, true},
		{"a restart in the old chain's second", 5.7, chain(6, 5.6), 5.8, period{start: at(6), end: at(7), from: at(5.7), to: at(5.8)}, false},
		{"a restart later", 20, chain(6, 5.6), 30, period{start: at(20), end: at(30), from: at(20), to: at(30)}, false},
	} {
		got := nextPeriod(at(c.chainStart), c.last, at(c.now))
		if (got.prev != nil) != c.continues {
			t.Errorf("%s: continues the chain = %v, want %v", c.name, got.prev != nil, c.continues)
		}
		got.prev = nil
		if got != c.want {
			t.Errorf("%s: period %+v, want %+v", c.name, got, c.want)
		}
	}
}
