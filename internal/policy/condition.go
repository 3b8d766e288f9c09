package policy

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// family is what an operator compares.
type family uint8

const (
	famString family = iota
	famStringFold
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

// comparison is the relation of an ordered operator: request value <rel> policy value.
type comparison uint8

const (
	eq comparison = iota
	lt
	le
	gt
	ge
)

type operator struct {
	name   string
	fam    family
	rel    comparison
	negate bool
}

var operators = map[string]*operator{}

func init() {
	for _, o := range []operator{
		{"StringEquals", famString, eq, false}, {"StringNotEquals", famString, eq, true},
		{"StringEqualsIgnoreCase", famStringFold, eq, false}, {"StringNotEqualsIgnoreCase", famStringFold, eq, true},
		{"StringLike", famStringLike, eq, false}, {"StringNotLike", famStringLike, eq, true},
		{"NumericEquals", famNumeric, eq, false}, {"NumericNotEquals", famNumeric, eq, true},
		{"NumericLessThan", famNumeric, lt, false}, {"NumericLessThanEquals", famNumeric, le, false},
		{"NumericGreaterThan", famNumeric, gt, false}, {"NumericGreaterThanEquals", famNumeric, ge, false},
		{"DateEquals", famDate, eq, false}, {"DateNotEquals", famDate, eq, true},
		{"DateLessThan", famDate, lt, false}, {"DateLessThanEquals", famDate, le, false},
		{"DateGreaterThan", famDate, gt, false}, {"DateGreaterThanEquals", famDate, ge, false},
		{"Bool", famBool, eq, false},
		{"BinaryEquals", famBinary, eq, false},
		{"IpAddress", famIP, eq, false}, {"NotIpAddress", famIP, eq, true},
		{"ArnEquals", famArn, eq, false}, {"ArnLike", famArn, eq, false},
		{"ArnNotEquals", famArn, eq, true}, {"ArnNotLike", famArn, eq, true},
		{"Null", famNull, eq, false},
	} {
		operators[strings.ToLower(o.name)] = &o
	}
}

// setMode is a condition's set operator prefix.
type setMode uint8

const (
	single setMode = iota
	forAnyValue
	forAllValues
)

// value is a compiled policy value of a condition.
type value struct {
	text   string // the value; for StringLike and Arn operators, a pattern
	vars   bool   // text holds policy variables to substitute at evaluation
	shape  shape  // StringLike: the pattern's shape
	num    float64
	time   time.Time
	prefix netip.Prefix
	bool   bool
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts. Operator names are
// matched regardless of case.
func parseOperator(name string) (op *operator, set setMode, ifExists bool, ok bool) {
	n := strings.ToLower(name)
	switch {
	case strings.HasPrefix(n, "foranyvalue:"):
		set, n = forAnyValue, n[len("foranyvalue:"):]
	case strings.HasPrefix(n, "forallvalues:"):
		set, n = forAllValues, n[len("forallvalues:"):]
	}
	if base, found := strings.CutSuffix(n, "ifexists"); found {
		n, ifExists = base, true
	}
	op = operators[n]
	if op == nil || op.fam == famNull && (ifExists || set != single) {
		return nil, 0, false, false
	}
	return op, set, ifExists, true
}

// compileValue checks and compiles one policy value for an operator; it returns a reason when the
// value is not of the operator's type.
func compileValue(op *operator, text string, vars bool) (value, string) {
	v := value{text: text, shape: shapeOf(text)}
	switch op.fam {
	case famString, famStringFold, famStringLike, famArn:
		if vars {
			if bad, ok := checkVars(text); !ok {
				return v, "malformed policy variable " + quote(bad)
			}
			v.vars = strings.Contains(text, "${")
		}
	case famNumeric:
		n, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return v, "value " + quote(text) + " is not a number"
		}
		v.num = n
	case famDate:
		t, ok := parseDate(text)
		if !ok {
			return v, "value " + quote(text) + " is not a date (ISO 8601 or epoch seconds)"
		}
		v.time = t
	case famBool, famNull:
		switch {
		case strings.EqualFold(text, "true"):
			v.bool = true
		case !strings.EqualFold(text, "false"):
			return v, "value " + quote(text) + " is not true or false"
		}
	case famBinary:
		if _, err := base64.StdEncoding.DecodeString(text); err != nil {
			return v, "value " + quote(text) + " is not base64"
		}
	case famIP:
		p, ok := parsePrefix(text)
		if !ok {
			return v, "value " + quote(text) + " is not an IP address or CIDR block"
		}
		v.prefix = p
	}
	return v, ""
}

// parseDate reads the date forms IAM accepts: epoch seconds or ISO 8601 (date, date and time,
// with or without fractional seconds and zone).
func parseDate(s string) (time.Time, bool) {
	if s != "" && strings.Trim(s, "0123456789") == "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"}

// parsePrefix reads an IP address or CIDR block.
func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), true
}

// eval decides a condition against the request context. Values of one key are OR'ed (NOR for
// the negated operators); a key missing from the context makes the condition false, except
// for …IfExists, ForAllValues, Null and the negated operators, for which it is true (IAM
// condition operators page: "If the policy condition requires that the key is not matched …
// and the right key is not present, the condition is true").
func (c *Condition) eval(ctx Context) bool {
	vals, ok := ctx.Lookup(c.Key)
	present := ok && len(vals) > 0
	if c.op.fam == famNull {
		for i := range c.vals {
			if c.vals[i].bool != present {
				return true
			}
		}
		return false
	}
	if !present {
		return c.ifExists || c.set == forAllValues || c.op.negate && c.set == single
	}
	switch c.set {
	case forAnyValue:
		for _, v := range vals {
			if c.matchOne(v, ctx) {
				return true
			}
		}
		return false
	case forAllValues:
		for _, v := range vals {
			if !c.matchOne(v, ctx) {
				return false
			}
		}
		return true
	}
	if c.op.negate {
		for _, v := range vals {
			if !c.matchOne(v, ctx) {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.matchOne(v, ctx) {
			return true
		}
	}
	return false
}

// matchOne reports whether one request value satisfies the operator against the policy values:
// any policy value matches (for a negated operator: none does).
func (c *Condition) matchOne(v string, ctx Context) bool {
	hit := false
	for i := range c.vals {
		if c.op.match(&c.vals[i], v, ctx) {
			hit = true
			break
		}
	}
	return hit != c.op.negate
}

// match is the positive form of the operator for one policy value and one request value.
func (o *operator) match(pv *value, v string, ctx Context) bool {
	text := pv.text
	if pv.vars {
		var ok bool
		if text, ok = expand(pv.text, ctx, o.fam == famStringLike || o.fam == famArn); !ok {
			return false
		}
	}
	switch o.fam {
	case famString:
		return v == text
	case famStringFold:
		return strings.EqualFold(v, text)
	case famStringLike:
		if pv.vars {
			return glob(text, v, false)
		}
		return pv.shape.match(text, v, false)
	case famArn:
		return arnGlob(text, v)
	case famBool:
		b, err := strconv.ParseBool(v)
		return err == nil && b == pv.bool
	case famBinary:
		return v == text
	case famIP:
		a, err := netip.ParseAddr(v)
		return err == nil && pv.prefix.Contains(a.Unmap())
	case famNumeric:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false
		}
		return o.rel.holds(cmpFloat(n, pv.num))
	case famDate:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		return o.rel.holds(t.Compare(pv.time))
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (r comparison) holds(c int) bool {
	switch r {
	case lt:
		return c < 0
	case le:
		return c <= 0
	case gt:
		return c > 0
	case ge:
		return c >= 0
	}
	return c == 0
}
