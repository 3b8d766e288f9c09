// Package credentials finds the secret behind an access key for SigV4 verification: an account's
// root (the access key is the 12-digit account ID and the secret is --root-secret; the account
// comes into being on first use), LocalStack's habit (the access key "test" is the root of account
// 000000000000), an IAM user's AKIA… key, or STS temporary ASIA… credentials.
package credentials

import (
	"context"
	"errors"
	"strings"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/sigv4"
	"github.com/keytrail/keytrail/internal/sts"
)

// LocalStack's conventions, which awslocal, tflocal and most Terraform test configurations use:
// the access key "test" signs as the root of LocalStack's default account.
const (
	LocalStackAccessKey = "test"
	LocalStackAccount   = "000000000000"
)

// Resolver implements sigv4.CredentialSource.
type Resolver struct {
	RootSecret string
	IAM        *iam.Service
	STS        *sts.Service
}

// Credential implements sigv4.CredentialSource.
func (r *Resolver) Credential(ctx context.Context, akid, token string) (sigv4.Credential, error) {
	switch {
	case identity.IsAccountID(akid):
		return r.root(ctx, akid, akid, token)
	case akid == LocalStackAccessKey:
		return r.root(ctx, LocalStackAccount, akid, token)
	case strings.HasPrefix(akid, "ASIA"):
		return r.session(ctx, akid, token)
	}
	if token != "" {
		return sigv4.Credential{}, sigv4.ErrInvalidToken
	}
	secret, p, err := r.IAM.AccessKeyCredential(ctx, akid)
	switch {
	case errors.Is(err, iam.ErrNoSuchKey):
		return sigv4.Credential{}, unknownKey(akid, "access key '"+akid+"' is not a 12-digit account ID, not '"+LocalStackAccessKey+"', and not an access key keytrail issued")
	case errors.Is(err, iam.ErrInactiveKey):
		return sigv4.Credential{}, unknownKey(akid, "access key '"+akid+"' is inactive")
	case err != nil:
		return sigv4.Credential{}, err
	}
	return sigv4.Credential{Secret: secret, Principal: p}, nil
}

// root is the credential of an account's root, signed for with the access key akid.
func (r *Resolver) root(ctx context.Context, account, akid, token string) (sigv4.Credential, error) {
	if token != "" {
		return sigv4.Credential{}, sigv4.ErrInvalidToken
	}
	if err := r.IAM.EnsureAccount(ctx, account); err != nil {
		return sigv4.Credential{}, err
	}
	p := identity.AccountRoot(account)
	p.AccessKeyID = akid
	return sigv4.Credential{Secret: r.RootSecret, Principal: p}, nil
}

// session is the credential of temporary STS credentials.
func (r *Resolver) session(ctx context.Context, akid, token string) (sigv4.Credential, error) {
	secret, p, err := r.STS.SessionCredential(ctx, akid, token)
	switch {
	case errors.Is(err, sts.ErrNoSuchSession):
		return sigv4.Credential{}, unknownKey(akid, "access key '"+akid+"' names no session keytrail's STS issued")
	case errors.Is(err, sts.ErrBadToken):
		return sigv4.Credential{}, sigv4.ErrInvalidToken
	case errors.Is(err, sts.ErrExpired):
		return sigv4.Credential{}, sigv4.ErrExpiredToken
	case err != nil:
		return sigv4.Credential{}, err
	}
	return sigv4.Credential{Secret: secret, Principal: p}, nil
}

// unknownKey is sigv4.ErrUnknownKey for akid, with the rule it broke for the server log.
func unknownKey(akid, reason string) error {
	e := *sigv4.ErrUnknownKey
	e.Reason, e.Value = reason, akid
	return &e
}
