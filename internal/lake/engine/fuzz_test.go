//go:build cgo

package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/keytrail/keytrail/internal/lake/engine"
)

// FuzzQuery: any text given as a query is refused, fails or runs; it never panics, and a refusal
// or failure carries one of the engine's errors.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		`SELECT eventName, count(*) FROM $ID GROUP BY 1`,
		`SELECT element_at(resources, 1).arn, transform(resources, x -> x.type) FROM $ID`,
		`SELECT * FROM $ID, unnest(resources) AS rt WHERE any_match(resources, r -> r.type = 'x')`,
		`WITH a AS (SELECT * FROM $ID) SELECT * FROM a JOIN "$ID" b ON a.eventID = b.eventID`,
		`SELECT 1 FROM arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/$ID; DROP TABLE x`,
		`SELECT '-- x' FROM $ID /* FROM y */ WHERE eventTime > '2026-01-01'`,
		`SELECT CAST(json_extract(element_at(requestParameters, 'a'), '$.b') AS varchar) FROM $ID`,
	} {
		f.Add(s)
	}
	e := open(f)
	f.Fuzz(func(t *testing.T, q string) {
		q = replaceID(q)
		_, err := e.Query(context.Background(), q, func(string) error { return nil })
		if err != nil && !errors.Is(err, engine.ErrInvalidStatement) && !errors.Is(err, engine.ErrQueryFailed) {
			t.Fatalf("%q: %v", q, err)
		}
	})
}

// FuzzLoad: any record is loaded or refused with an error; never a panic.
func FuzzLoad(f *testing.F) {
	for _, r := range fixture() {
		f.Add(r)
	}
	f.Add([]byte(`{"eventTime":"2026-01-01T00:00:00Z","requestParameters":[1],"resources":[{"ARN":1}]}`))
	f.Add([]byte(`{"eventTime":"2026-01-01T00:00:00Z","userIdentity":{"sessionContext":{"attributes":{"creationDate":"x"}}}}`))
	e := open(f)
	f.Fuzz(func(_ *testing.T, record []byte) {
		_ = e.Load(context.Background(), storeID, [][]byte{record})
	})
}

func replaceID(q string) string {
	out := []byte{}
	for i := 0; i < len(q); i++ {
		if i+3 <= len(q) && q[i:i+3] == "$ID" {
			out = append(out, storeID...)
			i += 2
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}
