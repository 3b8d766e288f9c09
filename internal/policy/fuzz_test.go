package policy

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParse: any input either parses into a complete policy that evaluates and explains without
// panicking, or is refused with an error and no policy; parsing is deterministic.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"Version":"2012-10-17","Statement":[{"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*","Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111111111111:trail/t"},"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:111111111111:trail/*"}}}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["111111111111","arn:aws:iam::111111111111:user/Bob"]},"NotAction":"s3:Get*","NotResource":"arn:aws:s3:::b/${aws:username}/*"}}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"ForAllValues:StringLike":{"kms:EncryptionContextKeys":["a*","${*}"]},"NumericLessThanIfExists":{"s3:max-keys":10},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"Null":{"x:y":true},"BinaryEquals":{"k:b":"QUJD"},"ArnLike":{"aws:SourceArn":"arn:aws:*:*:*:*"},"Bool":{"aws:SecureTransport":"false"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"x","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"${aws:username, 'd'}"}}}]}`,
		`{"Statement": [`,
		`[]`,
	} {
		for kind := range Bucket + 1 {
			f.Add(seed, uint8(kind))
		}
	}
	f.Fuzz(func(t *testing.T, doc string, k uint8) {
		kind := Kind(k % uint8(Bucket+1))
		p, err := Parse(doc, kind)
		_, err2 := Parse(doc, kind)
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("parsing is not deterministic: %v / %v", err, err2)
		}
		if err != nil {
			if p != nil {
				t.Fatal("a refused document yielded a policy")
			}
			return
		}
		if p == nil || len(p.Statements) == 0 || p.Kind != kind {
			t.Fatalf("an accepted document yielded %+v", p)
		}
		ctx := mapContext{"aws:username": {"bob*"}, "kms:EncryptionContextKeys": {"a", "b"}, "aws:SourceIp": {"10.1.2.3"}, "aws:CurrentTime": {"2026-11-22T00:00:00Z"}, "s3:max-keys": {"5"}}
		for _, c := range []Caller{user, sess, root, service, anon} {
			r := &Request{Caller: c, Action: "kms:GenerateDataKey", Resource: "arn:aws:kms:us-east-1:111111111111:key/k", Context: ctx}
			p.Evaluate(r)
			if got := len(p.Explain(r)); got != len(p.Statements) {
				t.Fatalf("Explain gave %d traces for %d statements", got, len(p.Statements))
			}
		}
	})
}

// FuzzGlob checks glob against a regular-expression translation of the same pattern.
func FuzzGlob(f *testing.F) {
	f.Add("arn:aws:cloudtrail:*:111111111111:trail/*", "arn:aws:cloudtrail:us-east-1:111111111111:trail/t", false)
	f.Add("a*b?c*", "aXbYcZ", true)
	f.Add("*a*a*a", "aaaaaaaaaaaaaaaaaaaaaab", false)
	f.Fuzz(func(t *testing.T, p, s string, fold bool) {
		if strings.IndexByte(p, esc) >= 0 || !utf8.ValidString(p) || !utf8.ValidString(s) {
			return
		}
		var re strings.Builder
		re.WriteString("^")
		if fold {
			re.WriteString("(?i)")
		}
		for _, r := range p {
			switch r {
			case '*':
				re.WriteString("(?s:.*)")
			case '?':
				re.WriteString("(?s:.)")
			default:
				if fold && r > unicode.MaxASCII {
					return // glob folds ASCII only
				}
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString("$")
		want := regexp.MustCompile(re.String()).MatchString(s)
		if fold && !isASCII(s) {
			return
		}
		if got := glob(p, s, fold); got != want {
			t.Fatalf("glob(%q, %q, %v) = %v, want %v", p, s, fold, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] > unicode.MaxASCII {
			return false
		}
	}
	return true
}
