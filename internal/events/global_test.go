package events

import (
	"testing"
	"time"
)

// An event keeps its Global flag through the journal encoding; an event encoded before the flag
// existed (version 1) is global when it is IAM's.
func TestGlobalThroughTheJournalEncoding(t *testing.T) {
	for _, c := range []struct {
		source  string
		global  bool
		version byte
		want    bool
	}{
		{"iam.amazonaws.com", true, encodingVersion, true},
		{"kms.amazonaws.com", false, encodingVersion, false},
		{"iam.amazonaws.com", false, 1, true},
		{"kms.amazonaws.com", false, 1, false},
	} {
		e := Event{Time: time.Unix(1700000000, 0).UTC(), ID: "id", Source: c.source, Name: "CreateUser", Global: c.global,
			Recipients: []string{"111122223333"}}
		b := e.AppendBinary(nil)
		b[0] = c.version
		var got Event
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatalf("%s v%d: %v", c.source, c.version, err)
		}
		if got.Global != c.want || got.Source != c.source {
			t.Errorf("%s v%d: Global %v, want %v", c.source, c.version, got.Global, c.want)
		}
	}
	b := (&Event{}).AppendBinary(nil)
	b[0] = encodingVersion + 1
	if err := new(Event).UnmarshalBinary(b); err == nil {
		t.Error("an encoding of a later version was read")
	}
}
