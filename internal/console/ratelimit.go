package console

import (
	"sync"
	"time"
)

// pruneAt is the number of keys past which fail forgets the keys with no recent failures, so
// sign-ins sprayed over many user names do not grow the table without end.
const pruneAt = 4096

// limiter counts failed sign-ins per key (a source IP, or an account and user name) in a sliding
// window: once a key has max failures within the window, its sign-ins are refused, the right
// password included, until the oldest failure leaves the window.
type limiter struct {
	max    int
	window time.Duration

	mu       sync.Mutex
	failures map[string][]time.Time
}

// recent returns key's failures still within the window at now, forgetting the older ones.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	ts := l.failures[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = ts
	}
	return ts
}

// blocked reports whether key has used up its failures.
func (l *limiter) blocked(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failures == nil {
		return false
	}
	return len(l.recent(key, now)) >= l.max
}

// fail records a failed sign-in of key.
func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failures == nil {
		l.failures = map[string][]time.Time{}
	}
	if len(l.failures) >= pruneAt {
		for k := range l.failures {
			l.recent(k, now) // forgets the keys whose failures are all old
		}
	}
	l.failures[key] = append(l.recent(key, now), now)
}

// forget clears key's failures (a successful sign-in of a user).
func (l *limiter) forget(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}
