package sts_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/servicetest"
	"github.com/keytrail/keytrail/internal/sts"
)

// TestConsoleSession: a console sign-in's credentials act as the signed-in user or root itself,
// marked as a console session, until they expire or the session ends.
func TestConsoleSession(t *testing.T) {
	w := servicetest.New(t)
	ctx := context.Background()
	alice := w.User(owner, "alice")
	issued := w.Clock.Now().UTC().Truncate(time.Second)
	for _, p := range []identity.Principal{alice, w.Root(owner)} {
		c, err := w.STS.ConsoleSession(ctx, p, 12*time.Hour)
		if err != nil {
			t.Fatalf("ConsoleSession(%s): %v", p.ARN, err)
		}
		if c.AccessKeyID[:4] != "ASIA" || !c.Expiration.Equal(issued.Add(12*time.Hour)) {
			t.Errorf("credentials %s expiring %s; want ASIA… expiring 12 hours on", c.AccessKeyID, c.Expiration)
		}
		secret, got, err := w.STS.SessionCredential(ctx, c.AccessKeyID, c.SessionToken)
		if err != nil || secret != c.SecretAccessKey {
			t.Fatalf("SessionCredential = %q, %v; want the issued secret", secret, err)
		}
		want := identity.Principal{Type: p.Type, Account: owner, ARN: p.ARN, PrincipalID: p.PrincipalID, AccessKeyID: c.AccessKeyID,
			UserName: p.UserName, SessionIssued: issued, Console: true}
		if got != want {
			t.Errorf("principal = %+v\nwant %+v", got, want)
		}
		if err := w.STS.EndSession(ctx, c.AccessKeyID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.STS.SessionCredential(ctx, c.AccessKeyID, c.SessionToken); !errors.Is(err, sts.ErrNoSuchSession) {
			t.Errorf("after EndSession: %v; want ErrNoSuchSession", err)
		}
	}
	c, err := w.STS.ConsoleSession(ctx, alice, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(time.Hour)
	if _, _, err := w.STS.SessionCredential(ctx, c.AccessKeyID, c.SessionToken); !errors.Is(err, sts.ErrExpired) {
		t.Errorf("an hour on: %v; want ErrExpired", err)
	}
	if _, err := w.STS.ConsoleSession(ctx, servicetest.Service("cloudtrail.amazonaws.com"), time.Hour); err == nil {
		t.Error("a console session for a service principal was issued")
	}
}
