package authz

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/request"
)

// input is a request as policies see it, with its condition-key context and room for the
// policies and statements of a typical decision: one allocation.
type input struct {
	req      policy.Request
	ctx      evalContext
	policies [4]named
	matched  [4]Matched
}

// The global condition keys the engine fills in, by their lower-case names.
const (
	kPrincipalArn = iota
	kPrincipalAccount
	kPrincipalType
	kUserID
	kUsername
	kPrincipalIsAWSService
	kPrincipalServiceName
	kSourceIP
	kCurrentTime
	kEpochTime
	kSecureTransport
	kRequestedRegion
	kMultiFactorAuthPresent
	kTokenIssueTime
	numKeys
)

var globalKeys = map[string]int{
	"aws:principalarn":           kPrincipalArn,
	"aws:principalaccount":       kPrincipalAccount,
	"aws:principaltype":          kPrincipalType,
	"aws:userid":                 kUserID,
	"aws:username":               kUsername,
	"aws:principalisawsservice":  kPrincipalIsAWSService,
	"aws:principalservicename":   kPrincipalServiceName,
	"aws:sourceip":               kSourceIP,
	"aws:currenttime":            kCurrentTime,
	"aws:epochtime":              kEpochTime,
	"aws:securetransport":        kSecureTransport,
	"aws:requestedregion":        kRequestedRegion,
	"aws:multifactorauthpresent": kMultiFactorAuthPresent,
	"aws:tokenissuetime":         kTokenIssueTime,
}

// evalContext answers condition-key lookups: the global keys from the caller and the request,
// then the service's keys.
type evalContext struct {
	vals    [numKeys]string
	has     [numKeys]bool
	at      time.Time        // the request time, for aws:CurrentTime and aws:EpochTime (formatted on demand)
	now     func() time.Time // the time of in-process calls, read on demand
	service Keys
	carried Map // keys an in-process caller put in the context (WithKeys)
}

func newInput(ctx context.Context, req *Request, now func() time.Time) *input {
	in := &input{}
	in.req.Action, in.req.Resource, in.req.Context = req.Action, req.Resource, &in.ctx
	c, p := &in.ctx, &req.Principal
	c.service, c.carried = req.Context, keysFrom(ctx)
	set := func(k int, v string) { c.vals[k], c.has[k] = v, true }
	caller := &in.req.Caller
	switch p.Type {
	case identity.AWSService:
		caller.Service = p.Service
		set(kPrincipalIsAWSService, "true")
		set(kPrincipalServiceName, p.Service)
	case identity.Anonymous:
		caller.Anonymous = true
		set(kPrincipalType, "Anonymous")
		set(kUserID, "anonymous")
		set(kPrincipalIsAWSService, "false")
	default:
		caller.Account, caller.ARN = p.Account, p.ARN
		set(kPrincipalAccount, p.Account)
		set(kPrincipalArn, p.ARN)
		set(kUserID, p.PrincipalID)
		set(kPrincipalIsAWSService, "false")
		switch p.Type {
		case identity.Root:
			set(kPrincipalType, "Account")
		case identity.IAMUser:
			caller.UserID = p.PrincipalID
			set(kPrincipalType, "User")
			set(kUsername, p.UserName)
		case identity.AssumedRole:
			caller.RoleARN, caller.RoleID = p.RoleARN, p.RoleID
			set(kPrincipalType, "AssumedRole")
			set(kPrincipalArn, p.RoleARN) // aws:PrincipalArn is the role's ARN for a session
			set(kMultiFactorAuthPresent, "false")
			if !p.SessionIssued.IsZero() {
				set(kTokenIssueTime, p.SessionIssued.UTC().Format(time.RFC3339))
			}
		}
	}
	c.now = now
	if f, ok := request.FactsOf(ctx); ok {
		c.at = f.Time
		if f.Region != "" {
			set(kRequestedRegion, f.Region)
		}
		if p.Type != identity.AWSService {
			if f.SourceIP != "" {
				set(kSourceIP, f.SourceIP)
			}
			set(kSecureTransport, strconv.FormatBool(f.Secure))
		}
	}
	// The one place the resources a call acted on reach its record: each authorization's.
	request.Note(ctx, req.Recorded...)
	c.has[kCurrentTime], c.has[kEpochTime] = true, true
	return in
}

// Lookup implements policy.Context: the engine's global keys first, then the service's keys,
// names matched regardless of case.
func (c *evalContext) Lookup(key string) ([]string, bool) {
	if len(key) > 4 && strings.EqualFold(key[:4], "aws:") && len(key) <= 32 {
		var buf [32]byte
		for i := 0; i < len(key); i++ {
			b := key[i]
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			buf[i] = b
		}
		if k, ok := globalKeys[string(buf[:len(key)])]; ok && c.has[k] {
			return c.global(k), true
		}
	}
	if c.service != nil {
		if v, ok := c.service.Lookup(key); ok {
			return v, true
		}
	}
	return c.carried.Lookup(key)
}

// global returns a global key's value, formatting the time keys on first use.
func (c *evalContext) global(k int) []string {
	if (k == kCurrentTime || k == kEpochTime) && c.vals[k] == "" {
		if c.at.IsZero() {
			c.at = c.now()
		}
		if k == kCurrentTime {
			c.vals[k] = c.at.UTC().Format(time.RFC3339)
		} else {
			c.vals[k] = strconv.FormatInt(c.at.Unix(), 10)
		}
	}
	return c.vals[k : k+1]
}
