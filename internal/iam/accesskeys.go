package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/store"
)

// maxAccessKeys is AWS's quota of access keys per user.
const maxAccessKeys = 2

// accessKey is the stored form of an access key (format version 1); the secret is sealed.
type accessKey struct {
	store.Version
	ID      string    `json:"id"`
	Account string    `json:"account"`
	User    string    `json:"user"`
	Secret  []byte    `json:"secret"` // sealed with purpose sealPurpose(ID)
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

// accessKeyRecords is the table of access keys by ID.
var accessKeyRecords = store.Table[accessKey]{Name: tableAccessKeys}

func sealPurpose(keyID string) string { return "iam/access-key/" + keyID }

func userKeyIndex(account, user, keyID string) string {
	return account + "/" + strings.ToLower(user) + "/" + keyID
}

func (s *Service) userKeyIDs(tx store.Tx, account, user string) ([]string, error) {
	var ids []string
	prefix := account + "/" + strings.ToLower(user) + "/"
	err := tx.Scan(tableUserKeys, prefix, "", func(k string, _ []byte) error {
		ids = append(ids, strings.TrimPrefix(k, prefix))
		return nil
	})
	return ids, err
}

func (s *Service) getAccessKey(tx store.Tx, id string) (*accessKey, error) {
	k, err := accessKeyRecords.Get(tx, id)
	if err == nil && k == nil {
		return nil, awserr.New(awserr.NoSuchEntity, "The Access Key with id %s cannot be found.", id)
	}
	return k, err
}

func putAccessKey(tx store.Tx, k *accessKey) error { return accessKeyRecords.Put(tx, k.ID, k) }

// allowKeyUser resolves the user an access-key operation is about (see keyUser) and authorizes
// the caller's action on that user.
func (s *Service) allowKeyUser(ctx context.Context, action, name string) (identity.Principal, string, error) {
	p, err := caller(ctx)
	if err != nil {
		return p, "", err
	}
	user, err := keyUser(p, name)
	if err != nil {
		return p, "", err
	}
	return p, user, s.authorize(ctx, p, action, s.userARN(p.Account, user))
}

// keyUser resolves the user an access-key operation is about: the named user, or the calling
// IAM user when UserName is omitted.
func keyUser(p identity.Principal, name string) (string, error) {
	if name != "" {
		v := newValidation()
		checkNameForm(v, "userName", name, userKind.maxName)
		return name, v.Err()
	}
	if p.Type == identity.IAMUser {
		return p.UserName, nil
	}
	return "", awserr.New(awserr.ValidationError, "Must specify userName when calling with non-User credentials")
}

// CreateAccessKeyInput is the CreateAccessKey request.
type CreateAccessKeyInput struct{ UserName string }

// CreateAccessKeyOutput is the CreateAccessKey response; the secret is returned only here.
type CreateAccessKeyOutput struct {
	AccessKey *AccessKey `xml:"AccessKey"`
}

// CreateAccessKey creates an AKIA… access key with a random 40-character secret for a user (at
// most two per user). Errors: ValidationError, NoSuchEntity, LimitExceeded, AccessDenied.
func (s *Service) CreateAccessKey(ctx context.Context, in *CreateAccessKeyInput) (*CreateAccessKeyOutput, error) {
	p, user, err := s.allowKeyUser(ctx, "CreateAccessKey", in.UserName)
	if err != nil {
		return nil, err
	}
	secret, err := NewSecret(s.rand)
	if err != nil {
		return nil, err
	}
	id, err := s.newID("AKIA", 16)
	if err != nil {
		return nil, err
	}
	sealed, err := s.barrier.Seal([]byte(secret), sealPurpose(id))
	if err != nil {
		return nil, err
	}
	var out *AccessKey
	err = s.update(ctx, func(tx store.Tx) error {
		e, err := s.getEntity(tx, userKind, p.Account, user)
		if err != nil {
			return err
		}
		ids, err := s.userKeyIDs(tx, p.Account, e.Name)
		if err != nil {
			return err
		}
		if len(ids) >= maxAccessKeys {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeys)
		}
		k := &accessKey{ID: id, Account: p.Account, User: e.Name, Secret: sealed, Status: "Active", Created: s.stamp()}
		if err := putAccessKey(tx, k); err != nil {
			return err
		}
		out = &AccessKey{UserName: e.Name, AccessKeyID: id, Status: k.Status, SecretAccessKey: secret, CreateDate: k.Created}
		return tx.Put(tableUserKeys, userKeyIndex(p.Account, e.Name, id), nil)
	})
	if err != nil {
		return nil, err
	}
	return &CreateAccessKeyOutput{AccessKey: out}, nil
}

// userAccessKey loads an access key and checks it belongs to the user in the caller's account.
func (s *Service) userAccessKey(tx store.Tx, account, user, id string) (*accessKey, error) {
	if _, err := s.getEntity(tx, userKind, account, user); err != nil {
		return nil, err
	}
	k, err := s.getAccessKey(tx, id)
	if err != nil {
		return nil, err
	}
	if k.Account != account || !strings.EqualFold(k.User, user) {
		return nil, awserr.New(awserr.NoSuchEntity, "The Access Key with id %s cannot be found.", id)
	}
	return k, nil
}

// DeleteAccessKeyInput is the DeleteAccessKey request.
type DeleteAccessKeyInput struct {
	UserName    string
	AccessKeyID string `query:"AccessKeyId"`
}

// DeleteAccessKeyOutput is the (empty) DeleteAccessKey response.
type DeleteAccessKeyOutput struct{}

// DeleteAccessKey deletes a user's access key. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) DeleteAccessKey(ctx context.Context, in *DeleteAccessKeyInput) (*DeleteAccessKeyOutput, error) {
	p, user, err := s.allowKeyUser(ctx, "DeleteAccessKey", in.UserName)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		k, err := s.userAccessKey(tx, p.Account, user, in.AccessKeyID)
		if err != nil {
			return err
		}
		if err := accessKeyRecords.Delete(tx, k.ID); err != nil {
			return err
		}
		return tx.Delete(tableUserKeys, userKeyIndex(k.Account, k.User, k.ID))
	})
	if err != nil {
		return nil, err
	}
	return &DeleteAccessKeyOutput{}, nil
}

// UpdateAccessKeyInput is the UpdateAccessKey request.
type UpdateAccessKeyInput struct {
	UserName    string
	AccessKeyID string `query:"AccessKeyId"`
	Status      string
}

// UpdateAccessKeyOutput is the (empty) UpdateAccessKey response.
type UpdateAccessKeyOutput struct{}

// UpdateAccessKey makes a key Active or Inactive; an Inactive key authenticates nothing.
// Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) UpdateAccessKey(ctx context.Context, in *UpdateAccessKeyInput) (*UpdateAccessKeyOutput, error) {
	v := newValidation()
	if v.Required("status", in.Status) && in.Status != "Active" && in.Status != "Inactive" {
		v.Constraint("status", in.Status, "Member must satisfy enum value set: [Active, Inactive]")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, user, err := s.allowKeyUser(ctx, "UpdateAccessKey", in.UserName)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		k, err := s.userAccessKey(tx, p.Account, user, in.AccessKeyID)
		if err != nil {
			return err
		}
		k.Status = in.Status
		return putAccessKey(tx, k)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateAccessKeyOutput{}, nil
}

// ListAccessKeysInput is the ListAccessKeys request.
type ListAccessKeysInput struct {
	UserName string
	Paging
}

// ListAccessKeysOutput is the ListAccessKeys response.
type ListAccessKeysOutput struct {
	AccessKeyMetadata []*AccessKeyMetadata `xml:"AccessKeyMetadata>member"`
	PageInfo
}

// ListAccessKeys lists a user's access keys. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) ListAccessKeys(ctx context.Context, in *ListAccessKeysInput) (*ListAccessKeysOutput, error) {
	v := newValidation()
	checkMaxItems(v, in.MaxItems)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, user, err := s.allowKeyUser(ctx, "ListAccessKeys", in.UserName)
	if err != nil {
		return nil, err
	}
	var all []*AccessKeyMetadata
	err = s.db.View(ctx, func(tx store.Tx) error {
		e, err := s.getEntity(tx, userKind, p.Account, user)
		if err != nil {
			return err
		}
		ids, err := s.userKeyIDs(tx, p.Account, e.Name)
		if err != nil {
			return err
		}
		for _, id := range ids {
			k, err := s.getAccessKey(tx, id)
			if err != nil {
				return err
			}
			all = append(all, &AccessKeyMetadata{UserName: k.User, AccessKeyID: k.ID, Status: k.Status, CreateDate: k.Created})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	items, truncated, next := page(all, func(k *AccessKeyMetadata) string { return k.AccessKeyID }, in.Marker, in.MaxItems)
	return &ListAccessKeysOutput{AccessKeyMetadata: append([]*AccessKeyMetadata{}, items...), PageInfo: PageInfo{IsTruncated: truncated, Marker: next}}, nil
}

// ErrNoSuchKey and ErrInactiveKey are returned by AccessKeyCredential.
var (
	ErrNoSuchKey   = errors.New("iam: no such access key")
	ErrInactiveKey = errors.New("iam: access key is inactive")
)

// AccessKeyCredential returns the secret and principal of an active IAM user access key, for
// SigV4 verification. It returns ErrNoSuchKey or ErrInactiveKey for keys that authenticate nothing.
func (s *Service) AccessKeyCredential(ctx context.Context, id string) (secret string, p identity.Principal, err error) {
	gen := s.gen.Load()
	if c, ok := s.creds.Load(id); ok && c.(*cachedCredential).gen == gen {
		c := c.(*cachedCredential)
		return c.secret, c.p, c.err
	}
	secret, p, err = s.accessKeyCredential(ctx, id)
	if err == nil || errors.Is(err, ErrNoSuchKey) || errors.Is(err, ErrInactiveKey) {
		s.creds.Store(id, &cachedCredential{gen: gen, secret: secret, p: p, err: err})
	}
	return secret, p, err
}

// cachedCredential is an access key's secret and principal as read at a generation.
type cachedCredential struct {
	gen    uint64
	secret string
	p      identity.Principal
	err    error
}

func (s *Service) accessKeyCredential(ctx context.Context, id string) (secret string, p identity.Principal, err error) {
	var k *accessKey
	var user *entity
	err = s.db.View(ctx, func(tx store.Tx) error {
		k, err = s.getAccessKey(tx, id)
		if err != nil {
			return err
		}
		user, err = s.getEntity(tx, userKind, k.Account, k.User)
		return err
	})
	if awserr.HasCode(err, awserr.NoSuchEntity) {
		return "", p, ErrNoSuchKey
	}
	if err != nil {
		return "", p, err
	}
	if k.Status != "Active" {
		return "", p, ErrInactiveKey
	}
	plain, err := s.barrier.Open(k.Secret, sealPurpose(k.ID))
	if err != nil {
		return "", p, fmt.Errorf("iam: open access key secret: %w", err)
	}
	return string(plain), identity.Principal{
		Type: identity.IAMUser, Account: user.Account, ARN: user.ARN(), PrincipalID: user.ID,
		AccessKeyID: k.ID, UserName: user.Name,
	}, nil
}
