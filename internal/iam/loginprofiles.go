package iam

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/store"
)

// Login profiles: an IAM user's console password.
//
// AWS references:
//   - https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html
//   - https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetLoginProfile.html
//   - https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateLoginProfile.html
//   - https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteLoginProfile.html
//   - https://docs.aws.amazon.com/IAM/latest/APIReference/API_ChangePassword.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html

const tableLoginProfiles = "iam.login-profiles"

// Password hashing: PBKDF2-HMAC-SHA256 with a random 16-byte salt and OWASP's 2023 work factor
// for it (600 000 iterations). The iteration count is stored with each hash, so it can rise
// without invalidating the passwords already set.
const (
	passwordIterations = 600_000
	passwordSaltLen    = 16
	passwordKeyLen     = 32
)

// loginProfile is the stored form of a user's console password (format version 1): never the
// password, only its salted slow hash.
type loginProfile struct {
	store.Version
	Account       string    `json:"account"`
	User          string    `json:"user"`
	Salt          []byte    `json:"salt"`
	Iterations    int       `json:"iterations"`
	Hash          []byte    `json:"hash"`
	Created       time.Time `json:"created"`
	ResetRequired bool      `json:"resetRequired,omitempty"`
}

// loginProfiles is the table of login profiles by entityKey(account, user).
var loginProfiles = store.Table[loginProfile]{Name: tableLoginProfiles}

// LoginProfile is a user's login profile as IAM returns it (no password).
type LoginProfile struct {
	UserName              string    `xml:"UserName"`
	CreateDate            time.Time `xml:"CreateDate"`
	PasswordResetRequired bool      `xml:"PasswordResetRequired"`
}

func (lp *loginProfile) out() *LoginProfile {
	return &LoginProfile{UserName: lp.User, CreateDate: lp.Created, PasswordResetRequired: lp.ResetRequired}
}

func noLoginProfile(user string) error {
	return awserr.New(awserr.NoSuchEntity, "Login Profile for User %s cannot be found.", user)
}

// checkPassword checks a password against the model's passwordType (1..128 characters of tab,
// LF, CR and U+0020..U+00FF) and then against AWS's default account password policy, which
// applies while no custom policy is set (keytrail has none): at least 8 characters, at least
// three of uppercase, lowercase, digits and non-alphanumeric characters, and not the user's name.
func checkPassword(password, user string) error {
	v := newValidation()
	if v.Required("password", password) {
		ok := len([]rune(password)) <= 128
		for _, r := range password {
			if r != '\t' && r != '\n' && r != '\r' && (r < 0x20 || r > 0xFF) {
				ok = false
			}
		}
		if !ok {
			v.Hidden("password", `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	var upper, lower, digit, other int
	for _, r := range password {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = 1
		case r >= 'a' && r <= 'z':
			lower = 1
		case r >= '0' && r <= '9':
			digit = 1
		case !unicode.IsSpace(r):
			other = 1
		}
	}
	if len([]rune(password)) < 8 || upper+lower+digit+other < 3 || strings.EqualFold(password, user) {
		return awserr.New(awserr.PasswordPolicyViolation, "Password does not conform to the account password policy.")
	}
	return nil
}

// hashPassword returns a fresh salt and the password's hash under it.
func hashPassword(r io.Reader, password string, iterations int) (salt, hash []byte, err error) {
	salt = make([]byte, passwordSaltLen)
	if _, err := io.ReadFull(r, salt); err != nil {
		return nil, nil, fmt.Errorf("iam: random: %w", err)
	}
	hash, err = pbkdf2.Key(sha256.New, password, salt, iterations, passwordKeyLen)
	return salt, hash, err
}

// setPassword checks and hashes a new password into lp.
func (s *Service) setPassword(lp *loginProfile, password string) error {
	if err := checkPassword(password, lp.User); err != nil {
		return err
	}
	salt, hash, err := hashPassword(s.rand, password, s.pwIter)
	if err != nil {
		return err
	}
	lp.Salt, lp.Hash, lp.Iterations = salt, hash, s.pwIter
	return nil
}

// CreateLoginProfileInput is the CreateLoginProfile request.
type CreateLoginProfileInput struct {
	UserName              string
	Password              string
	PasswordResetRequired *bool
}

// CreateLoginProfileOutput is the CreateLoginProfile response.
type CreateLoginProfileOutput struct {
	LoginProfile *LoginProfile `xml:"LoginProfile"`
}

// CreateLoginProfile gives a user a console password (the calling user when UserName is
// omitted). Errors: ValidationError, PasswordPolicyViolation, NoSuchEntity, EntityAlreadyExists,
// AccessDenied.
func (s *Service) CreateLoginProfile(ctx context.Context, in *CreateLoginProfileInput) (*CreateLoginProfileOutput, error) {
	p, user, err := s.allowUser(ctx, "CreateLoginProfile", in.UserName)
	if err != nil {
		return nil, err
	}
	if _, err := s.loadEntity(ctx, userKind, p.Account, user); err != nil {
		return nil, err
	}
	var out *LoginProfile
	lp := &loginProfile{Account: p.Account, User: user, ResetRequired: in.PasswordResetRequired != nil && *in.PasswordResetRequired}
	if err := s.setPassword(lp, in.Password); err != nil {
		return nil, err
	}
	err = s.entityTx(ctx, true, userKind, p.Account, user, func(tx store.Tx, e *entity) error {
		switch old, err := loginProfiles.Get(tx, entityKey(e.Account, e.Name)); {
		case err != nil:
			return err
		case old != nil:
			return awserr.New(awserr.EntityAlreadyExists, "Login Profile for user %s already exists.", e.Name)
		}
		lp.User, lp.Created = e.Name, s.stamp()
		out = lp.out()
		return loginProfiles.Put(tx, entityKey(e.Account, e.Name), lp)
	})
	if err != nil {
		return nil, err
	}
	return &CreateLoginProfileOutput{LoginProfile: out}, nil
}

// GetLoginProfileInput is the GetLoginProfile request.
type GetLoginProfileInput struct{ UserName string }

// GetLoginProfileOutput is the GetLoginProfile response.
type GetLoginProfileOutput struct {
	LoginProfile *LoginProfile `xml:"LoginProfile"`
}

// GetLoginProfile says whether a user has a console password, since when, and whether it must
// be reset. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) GetLoginProfile(ctx context.Context, in *GetLoginProfileInput) (*GetLoginProfileOutput, error) {
	p, user, err := s.allowUser(ctx, "GetLoginProfile", in.UserName)
	if err != nil {
		return nil, err
	}
	var out *LoginProfile
	err = s.entityTx(ctx, false, userKind, p.Account, user, func(tx store.Tx, e *entity) error {
		lp, err := loginProfiles.Get(tx, entityKey(e.Account, e.Name))
		if err == nil && lp == nil {
			return noLoginProfile(e.Name)
		}
		if err == nil {
			out = lp.out()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &GetLoginProfileOutput{LoginProfile: out}, nil
}

// UpdateLoginProfileInput is the UpdateLoginProfile request.
type UpdateLoginProfileInput struct {
	UserName              string
	Password              string
	PasswordResetRequired *bool
}

// UpdateLoginProfileOutput is the (empty) UpdateLoginProfile response.
type UpdateLoginProfileOutput struct{}

// UpdateLoginProfile changes a user's console password, its reset flag, or both; what is
// omitted is kept. Errors: ValidationError, PasswordPolicyViolation, NoSuchEntity, AccessDenied.
func (s *Service) UpdateLoginProfile(ctx context.Context, in *UpdateLoginProfileInput) (*UpdateLoginProfileOutput, error) {
	v := newValidation()
	userKind.checkName(v, in.UserName)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, user, err := s.allowUser(ctx, "UpdateLoginProfile", in.UserName)
	if err != nil {
		return nil, err
	}
	fresh := &loginProfile{User: user}
	if in.Password != "" {
		if err := s.setPassword(fresh, in.Password); err != nil {
			return nil, err
		}
	}
	err = s.entityTx(ctx, true, userKind, p.Account, user, func(tx store.Tx, e *entity) error {
		lp, err := loginProfiles.Get(tx, entityKey(e.Account, e.Name))
		if err == nil && lp == nil {
			return noLoginProfile(e.Name)
		}
		if err != nil {
			return err
		}
		if in.Password != "" {
			lp.Salt, lp.Hash, lp.Iterations = fresh.Salt, fresh.Hash, fresh.Iterations
		}
		if in.PasswordResetRequired != nil {
			lp.ResetRequired = *in.PasswordResetRequired
		}
		return loginProfiles.Put(tx, entityKey(e.Account, e.Name), lp)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateLoginProfileOutput{}, nil
}

// DeleteLoginProfileInput is the DeleteLoginProfile request.
type DeleteLoginProfileInput struct{ UserName string }

// DeleteLoginProfileOutput is the (empty) DeleteLoginProfile response.
type DeleteLoginProfileOutput struct{}

// DeleteLoginProfile removes a user's console password; the user can no longer sign in to the
// console. Errors: ValidationError, NoSuchEntity, AccessDenied.
func (s *Service) DeleteLoginProfile(ctx context.Context, in *DeleteLoginProfileInput) (*DeleteLoginProfileOutput, error) {
	p, user, err := s.allowUser(ctx, "DeleteLoginProfile", in.UserName)
	if err != nil {
		return nil, err
	}
	err = s.entityTx(ctx, true, userKind, p.Account, user, func(tx store.Tx, e *entity) error {
		lp, err := loginProfiles.Get(tx, entityKey(e.Account, e.Name))
		if err == nil && lp == nil {
			return noLoginProfile(e.Name)
		}
		if err != nil {
			return err
		}
		return loginProfiles.Delete(tx, entityKey(e.Account, e.Name))
	})
	if err != nil {
		return nil, err
	}
	return &DeleteLoginProfileOutput{}, nil
}

// ChangePasswordInput is the ChangePassword request.
type ChangePasswordInput struct {
	OldPassword string
	NewPassword string
}

// ChangePasswordOutput is the (empty) ChangePassword response.
type ChangePasswordOutput struct{}

// ChangePassword changes the calling IAM user's own console password, given the current one, and
// clears PasswordResetRequired. The caller needs iam:ChangePassword on itself (keytrail has no
// account password policy to let every user change theirs). Errors: ValidationError,
// InvalidUserType (not an IAM user), AccessDenied (also: the old password is wrong),
// PasswordPolicyViolation, NoSuchEntity (no login profile).
func (s *Service) ChangePassword(ctx context.Context, in *ChangePasswordInput) (*ChangePasswordOutput, error) {
	v := newValidation()
	v.Required("oldPassword", in.OldPassword)
	v.Required("newPassword", in.NewPassword)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.Type != identity.IAMUser {
		return nil, awserr.New(awserr.InvalidUserType, "Only IAM users can change their own password; the root and role sessions have none.")
	}
	if err := s.authorize(ctx, p, "ChangePassword", userKind.arn(p.Account, p.UserName)); err != nil {
		return nil, err
	}
	fresh := &loginProfile{User: p.UserName}
	if err := s.setPassword(fresh, in.NewPassword); err != nil {
		return nil, err
	}
	err = s.entityTx(ctx, true, userKind, p.Account, p.UserName, func(tx store.Tx, e *entity) error {
		lp, err := loginProfiles.Get(tx, entityKey(e.Account, e.Name))
		if err == nil && lp == nil {
			return noLoginProfile(e.Name)
		}
		if err != nil {
			return err
		}
		old, err := pbkdf2.Key(sha256.New, in.OldPassword, lp.Salt, lp.Iterations, passwordKeyLen)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(old, lp.Hash) != 1 {
			return awserr.New(awserr.AccessDenied, "The old password is incorrect.")
		}
		lp.Salt, lp.Hash, lp.Iterations, lp.ResetRequired = fresh.Salt, fresh.Hash, fresh.Iterations, false
		return loginProfiles.Put(tx, entityKey(e.Account, e.Name), lp)
	})
	if err != nil {
		return nil, err
	}
	return &ChangePasswordOutput{}, nil
}

// hasLoginProfile reports whether a user has a console password (DeleteUser's conflict check).
func hasLoginProfile(tx store.Tx, e *entity) (bool, error) {
	lp, err := loginProfiles.Get(tx, entityKey(e.Account, e.Name))
	return lp != nil, err
}

// ErrSignIn is returned by SignIn for every credential it refuses, without saying which part
// was wrong (no user, no login profile, wrong password), as AWS's sign-in page does not.
var ErrSignIn = errors.New("iam: your authentication information is incorrect")

// decoySalt makes SignIn for an unknown user cost as much as for a known one.
var decoySalt = make([]byte, passwordSaltLen)

// SignIn checks an IAM user's console password: it returns the user's principal and whether the
// password must be reset, or ErrSignIn (with the user's principal when the user exists, for the
// record of the failed sign-in, else none). It is the console's sign-in, not an API operation, so it
// is neither authorized nor recorded by IAM (the console records the sign-in itself).
func (s *Service) SignIn(ctx context.Context, account, user, password string) (identity.Principal, bool, error) {
	var e *entity
	var lp *loginProfile
	err := s.db.View(ctx, func(tx store.Tx) (err error) {
		if e, err = userKind.table.Get(tx, entityKey(account, user)); err != nil || e == nil {
			return err
		}
		lp, err = loginProfiles.Get(tx, entityKey(account, user))
		return err
	})
	if err != nil {
		return identity.Principal{}, false, err
	}
	salt, want, iterations := decoySalt, []byte(nil), s.pwIter
	if lp != nil {
		salt, want, iterations = lp.Salt, lp.Hash, lp.Iterations
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iterations, passwordKeyLen)
	if err != nil {
		return identity.Principal{}, false, err
	}
	if e == nil {
		return identity.Principal{}, false, ErrSignIn
	}
	p := identity.Principal{Type: identity.IAMUser, Account: e.Account, ARN: e.ARN(), PrincipalID: e.ID, UserName: e.Name}
	if lp == nil || subtle.ConstantTimeCompare(got, want) != 1 {
		return p, false, ErrSignIn // the user, for the record of the failed sign-in
	}
	return p, lp.ResetRequired, nil
}
