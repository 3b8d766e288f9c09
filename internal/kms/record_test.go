package kms

import (
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/store"
)

// putTx is a store.Tx that keeps what is put in it.
type putTx struct {
	store.Tx
	got map[string]string
}

func (tx *putTx) Put(table, key string, v []byte) error {
	tx.got[table+" "+key] = string(v)
	return nil
}

// TestRecordEncoding: the records keep the JSON encoding (format version 1) that keytrail wrote
// before store.Table encoded them, byte for byte, so existing state stores open unchanged.
func TestRecordEncoding(t *testing.T) {
	at := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	key := keyRecord{ID: "1234abcd-12ab-34cd-56ef-1234567890ab", Account: "111122223333", Region: "us-east-1", Description: "d",
		Created: at, State: "Enabled", Policy: "{}", Tags: []Tag{{TagKey: "k", TagValue: "v"}}, Rotation: true, RotationDays: 365,
		NextRotation: at, Versions: []keyVersion{{N: 1, MaterialID: "m", Sealed: []byte{1, 2}, Created: at}}}
	alias := aliasRecord{Name: "alias/x", Target: "1234abcd-12ab-34cd-56ef-1234567890ab", Created: at, Updated: at}
	grant := grantRecord{ID: "g", KeyID: "k", Account: "111122223333", Region: "us-east-1", Grantee: "arn:aws:iam::111122223333:user/bob",
		Operations: []string{"Decrypt"}, Issuing: "111122223333", Created: at, TokenHash: "h"}
	tx := &putTx{got: map[string]string{}}
	if err := putKey(tx, &key); err != nil {
		t.Fatal(err)
	}
	if err := putAlias(tx, "111122223333", "us-east-1", &alias); err != nil {
		t.Fatal(err)
	}
	if err := grantsTable.Put(tx, "111122223333/us-east-1/k/g", &grant); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"kms.keys 111122223333/us-east-1/1234abcd-12ab-34cd-56ef-1234567890ab": `{"v":1,"id":"1234abcd-12ab-34cd-56ef-1234567890ab","account":"111122223333","region":"us-east-1","description":"d","created":"2026-12-02T12:00:00Z","state":"Enabled","policy":"{}","tags":[{"TagKey":"k","TagValue":"v"}],"rotation":true,"rotationDays":365,"nextRotation":"2026-12-02T12:00:00Z","versions":[{"n":1,"materialId":"m","sealed":"AQI=","created":"2026-12-02T12:00:00Z"}]}`,
		"kms.aliases 111122223333/us-east-1/alias/x":                           `{"v":1,"name":"alias/x","target":"1234abcd-12ab-34cd-56ef-1234567890ab","created":"2026-12-02T12:00:00Z","updated":"2026-12-02T12:00:00Z"}`,
		"kms.grants 111122223333/us-east-1/k/g":                                `{"v":1,"id":"g","keyId":"k","account":"111122223333","region":"us-east-1","grantee":"arn:aws:iam::111122223333:user/bob","operations":["Decrypt"],"issuing":"111122223333","created":"2026-12-02T12:00:00Z","tokenHash":"h"}`,
	}
	for k, w := range want {
		if got := tx.got[k]; got != w {
			t.Errorf("%s:\n got %s\nwant %s", k, got, w)
		}
	}
	if len(tx.got) != len(want) {
		t.Errorf("wrote %d records; want %d", len(tx.got), len(want))
	}
}
