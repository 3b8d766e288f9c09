package advisor_test

import (
	"context"
	"testing"

	"github.com/keytrail/keytrail/internal/advisor"
	"github.com/keytrail/keytrail/internal/awserr"
)

// FuzzCheck: any policy document and any reader or trail give a report or an AWS-shaped error,
// never a panic; a report counts each finding once.
func FuzzCheck(f *testing.F) {
	f.Add(scenario{statements: consoleStmts}.policy(), trailARN, bob)
	f.Add(scenario{statements: []stmt{storeSourceStmt, deny()}}.policy(), "arn:aws:cloudtrail:us-east-1:"+other+":trail/x", "arn:aws:sts::"+acct+":assumed-role/r/s")
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":"*","NotAction":"kms:Decrypt","NotResource":"x"}]}`, "", acct)
	f.Fuzz(func(t *testing.T, doc, trail, reader string) {
		u := advisor.Use{KeyARN: keyARN, Readers: []string{reader}, Accounts: []string{other}, EventDataStores: []string{storeARN}}
		if trail != "" {
			u.Trails = []advisor.Trail{{ARN: trail, BucketKey: len(reader)%2 == 0}}
		}
		r, err := advisor.Check(context.Background(), doc, u)
		if err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("not an AWS error: %v", err)
			}
			return
		}
		if r.Met+r.NotMet != len(r.Findings) {
			t.Fatalf("%d met and %d not met of %d findings", r.Met, r.NotMet, len(r.Findings))
		}
	})
}

func deny() stmt {
	return stmt{"Effect": "Deny", "Principal": stmt{"AWS": "*"}, "Action": "kms:*", "Resource": "*", "Condition": stmt{"Bool": stmt{"aws:SecureTransport": "false"}}}
}
