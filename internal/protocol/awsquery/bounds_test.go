package awsquery

import (
	"strconv"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/awserr"
)

// Decode refuses forms past its bounds with MalformedQueryString and nothing decoded: too many
// parameters, names nested past MaxNameDepth, malformed escapes; it accepts one at each bound.
func TestDecodeBounds(t *testing.T) {
	many := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "P" + strconv.Itoa(i) + "=x"
		}
		return strings.Join(parts, "&")
	}
	deep := func(parts int) string { return "A" + strings.Repeat(".b", parts-1) + "=1" }
	for _, c := range []struct {
		form string
		ok   bool
	}{
		{many(maxParams), true},
		{many(maxParams + 1), false},
		{many(100_000), false},
		{deep(MaxNameDepth), true},
		{deep(MaxNameDepth + 1), false},
		{deep(100_000), false},
		{"A=%", false},
		{"A=%G1", false},
		{"%=1", false},
		{"=1", false},
	} {
		v, err := Decode(c.form)
		if c.ok != (err == nil) {
			t.Errorf("Decode(%.40q…) = %v", c.form, err)
			continue
		}
		if e, isAWS := awserr.As(err); err != nil && (!isAWS || e.Code != awserr.MalformedQueryString || v != nil) {
			t.Errorf("Decode(%.40q…) = %v, %v; want MalformedQueryString and nothing", c.form, v, err)
		}
	}
}
