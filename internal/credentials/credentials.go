// Package credentials finds the secret behind an access key for SigV4 verification: an account's
// root (the access key is the 12-digit account ID and the secret is --root-secret; the account
// comes into being on first use), an IAM user's AKIA… key, or STS temporary ASIA… credentials.
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
		if token != "" {
			return sigv4.Credential{}, sigv4.ErrInvalidToken
		}
		if err := r.IAM.EnsureAccount(ctx, akid); err != nil {
			return sigv4.Credential{}, err
		}
		return sigv4.Credential{Secret: r.RootSecret, Principal: identity.AccountRoot(akid)}, nil
	case strings.HasPrefix(akid, "ASIA"):
		secret, p, err := r.STS.SessionCredential(ctx, akid, token)
		switch {
		case errors.Is(err, sts.ErrNoSuchSession):
			return sigv4.Credential{}, sigv4.ErrUnknownKey
		case errors.Is(err, sts.ErrBadToken):
			return sigv4.Credential{}, sigv4.ErrInvalidToken
		case errors.Is(err, sts.ErrExpired):
			return sigv4.Credential{}, sigv4.ErrExpiredToken
		case err != nil:
			return sigv4.Credential{}, err
		}
		return sigv4.Credential{Secret: secret, Principal: p}, nil
	}
	if token != "" {
		return sigv4.Credential{}, sigv4.ErrInvalidToken
	}
	secret, p, err := r.IAM.AccessKeyCredential(ctx, akid)
	switch {
	case errors.Is(err, iam.ErrNoSuchKey), errors.Is(err, iam.ErrInactiveKey):
		return sigv4.Credential{}, sigv4.ErrUnknownKey
	case err != nil:
		return sigv4.Credential{}, err
	}
	return sigv4.Credential{Secret: secret, Principal: p}, nil
}
