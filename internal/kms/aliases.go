package kms

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/store"
)

// aliasRecord is the stored form of an alias (format version 1).
type aliasRecord struct {
	store.Version
	Name    string    `json:"name"`
	Target  string    `json:"target"` // key ID, same account and region
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

var aliasNamePattern = regexp.MustCompile(`^alias/[a-zA-Z0-9:/_-]+$`)

func isAliasARN(s string) bool {
	_, _, _, ok := parseAliasARN(s)
	return ok
}

func aliasNotFound(arn string) error {
	return awserr.New(awserr.NotFoundException, "Alias %s is not found.", arn)
}

// aliasTarget returns the key ID an alias points to.
func (s *Service) aliasTarget(c *call, account, region, name string) (string, error) {
	var a *aliasRecord
	err := s.db.View(c.Ctx, func(tx store.Tx) (err error) {
		a, err = getAlias(tx, account, region, name)
		return err
	})
	if err != nil {
		return "", err
	}
	if a == nil {
		return "", aliasNotFound(aliasARN(region, account, name))
	}
	return a.Target, nil
}

func getAlias(tx store.Tx, account, region, name string) (*aliasRecord, error) {
	return aliasesTable.Get(tx, keyStoreKey(account, region, name))
}

func putAlias(tx store.Tx, account, region string, a *aliasRecord) error {
	return aliasesTable.Put(tx, keyStoreKey(account, region, a.Name), a)
}

// checkAliasName validates an alias name: alias/<name>, not under the reserved alias/aws/.
func checkAliasName(name string) error {
	v := newValidation()
	if v.Required("aliasName", name) {
		checkLength(v, "aliasName", name, 1, 256)
	}
	if err := v.Err(); err != nil {
		return err
	}
	switch {
	case !aliasNamePattern.MatchString(name):
		return awserr.New(awserr.InvalidAliasNameException, "Alias must start with the prefix \"alias/\" and contain only alphanumeric characters, forward slashes (/), underscores (_), colons (:) and dashes (-): %s", name)
	case strings.HasPrefix(name, "alias/aws/"):
		return awserr.New(awserr.InvalidAliasNameException, "Alias names cannot begin with alias/aws/: that prefix is reserved for AWS managed keys.")
	}
	return nil
}

// CreateAlias points a new alias at a key of the caller's account (key ID or key ARN). It needs
// kms:CreateAlias on the alias (identity policy) and on the key (key policy): one engine call for
// the key, whose identity side covers the alias. Errors: AlreadyExistsException,
// InvalidAliasNameException, NotFoundException, KMSInvalidStateException, AccessDeniedException.
func (s *Service) CreateAlias(ctx context.Context, in *AliasInput) (*Empty, error) {
	return s.setAlias(ctx, "CreateAlias", in, true)
}

// UpdateAlias points an existing alias at another key of the caller's account. Errors:
// NotFoundException, KMSInvalidStateException (the new key is pending deletion), AccessDeniedException.
func (s *Service) UpdateAlias(ctx context.Context, in *AliasInput) (*Empty, error) {
	return s.setAlias(ctx, "UpdateAlias", in, false)
}

func (s *Service) setAlias(ctx context.Context, action string, in *AliasInput, create bool) (*Empty, error) {
	if err := checkAliasName(in.AliasName); err != nil {
		return nil, err
	}
	if strings.HasPrefix(in.TargetKeyID, "alias/") || isAliasARN(in.TargetKeyID) {
		return nil, awserr.New(awserr.ValidationException, "Aliases must refer to keys. Not aliases")
	}
	c, k, err := s.keyOp(ctx, action, "targetKeyId", in.TargetKeyID, keyOwnAccount, nil)
	if err != nil {
		return nil, err
	}
	if err := checkState(k, false); err != nil {
		return nil, err
	}
	now := s.stamp()
	err = s.db.Update(ctx, func(tx store.Tx) error {
		a, err := getAlias(tx, c.P.Account, c.Region, in.AliasName)
		if err != nil {
			return err
		}
		switch {
		case create && a != nil:
			return awserr.New(awserr.AlreadyExistsException, "An alias with the name %s already exists", aliasARN(c.Region, c.P.Account, in.AliasName))
		case !create && a == nil:
			return aliasNotFound(aliasARN(c.Region, c.P.Account, in.AliasName))
		case create:
			a = &aliasRecord{Name: in.AliasName, Created: now}
		}
		a.Target, a.Updated = k.rec.ID, now
		return putAlias(tx, c.P.Account, c.Region, a)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// DeleteAlias deletes an alias of the caller's account; the key is unchanged. It needs
// kms:DeleteAlias on the key the alias points to. Errors: NotFoundException, AccessDeniedException.
func (s *Service) DeleteAlias(ctx context.Context, in *DeleteAliasInput) (*Empty, error) {
	if err := checkAliasName(in.AliasName); err != nil {
		return nil, err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	target, err := s.aliasTarget(c, c.P.Account, c.Region, in.AliasName)
	if err != nil {
		return nil, err
	}
	k, err := s.key(c, c.P.Account, c.Region, target)
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, aliasNotFound(aliasARN(c.Region, c.P.Account, in.AliasName))
	}
	if err := s.authorize(c, "DeleteAlias", k, nil, nil); err != nil {
		return nil, err
	}
	return &Empty{}, s.db.Update(ctx, func(tx store.Tx) error {
		return aliasesTable.Delete(tx, keyStoreKey(c.P.Account, c.Region, in.AliasName))
	})
}

// ListAliases lists the caller's aliases in the region by name, optionally only those of one key
// (key ID or key ARN). Authorized by identity policies. Errors: NotFoundException,
// InvalidMarkerException, ValidationException, AccessDeniedException.
func (s *Service) ListAliases(ctx context.Context, in *ListAliasesInput) (*ListAliasesOutput, error) {
	c, err := s.identityOp(ctx, "ListAliases")
	if err != nil {
		return nil, err
	}
	filter := ""
	if in.KeyID != "" {
		k, err := s.resolve(c, in.KeyID, keyOwnAccount)
		if err != nil {
			return nil, err
		}
		filter = k.rec.ID
	}
	aliases, err := scanRegion(s, c, aliasesTable, func(a *aliasRecord) (AliasListEntry, bool) {
		if filter != "" && a.Target != filter {
			return AliasListEntry{}, false
		}
		return AliasListEntry{AliasName: a.Name, AliasArn: aliasARN(c.Region, c.P.Account, a.Name), TargetKeyID: a.Target,
			CreationDate: awsjsonTime(a.Created), LastUpdatedDate: awsjsonTime(a.Updated)}, true
	})
	if err != nil {
		return nil, err
	}
	if filter == "" {
		aliases = withPredefined(c, aliases)
	}
	out, pg, err := page(aliases, func(a AliasListEntry) string { return a.AliasName }, in.PageInput, 100, 50)
	if err != nil {
		return nil, err
	}
	return &ListAliasesOutput{Aliases: out, PageOutput: pg}, nil
}

// withPredefined adds to the account's aliases, sorted by name, the predefined AWS aliases that
// have no key yet, with no TargetKeyId and no dates, as ListAliases lists them.
func withPredefined(c *call, aliases []AliasListEntry) []AliasListEntry {
	for _, name := range predefinedAliases {
		if !slices.ContainsFunc(aliases, func(a AliasListEntry) bool { return a.AliasName == name }) {
			aliases = append(aliases, AliasListEntry{AliasName: name, AliasArn: aliasARN(c.Region, c.P.Account, name)})
		}
	}
	slices.SortFunc(aliases, func(a, b AliasListEntry) int { return strings.Compare(a.AliasName, b.AliasName) })
	return aliases
}
