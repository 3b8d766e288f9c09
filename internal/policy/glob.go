package policy

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// esc marks the byte after it as literal in a pattern: policy variables ${*}, ${?} and the values
// of substituted variables never act as wildcards. Documents containing NUL are refused at parse
// time, so the byte cannot come from the policy text itself.
const esc = '\x00'

// glob reports whether s matches pattern p, where '*' matches any run of characters (also none),
// '?' exactly one character and esc makes the next byte literal. With fold, ASCII letters match
// regardless of case. It does not allocate.
func glob(p, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				starP, starS = pi, si
				pi++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[si:])
				pi, si = pi+1, si+n
				continue
			case esc:
				if pi+1 < len(p) && p[pi+1] == s[si] {
					pi, si = pi+2, si+1
					continue
				}
			default:
				if c == s[si] || fold && lower(c) == lower(s[si]) {
					pi, si = pi+1, si+1
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Backtrack: let the last star swallow one more character — or, when a plain literal
		// follows the star, skip straight to its next occurrence.
		starS++
		if next := starP + 1; !fold && next < len(p) && p[next] != '*' && p[next] != '?' && p[next] != esc && starS < len(s) {
			j := strings.IndexByte(s[starS:], p[next])
			if j < 0 {
				return false
			}
			starS += j
		}
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// shape is what a compiled pattern looks like, so that most are matched without the general
// glob: literals, and prefixes whose only wildcard is a final star.
type shape uint8

const (
	shapeGlob shape = iota
	shapeLiteral
	shapePrefix
)

func shapeOf(p string) shape {
	switch i := strings.IndexAny(p, "*?\x00"); {
	case i < 0:
		return shapeLiteral
	case i == len(p)-1 && p[i] == '*':
		return shapePrefix
	}
	return shapeGlob
}

// match is glob for a pattern of a known shape.
func (sh shape) match(p, s string, fold bool) bool {
	switch sh {
	case shapeLiteral:
		return equal(p, s, fold)
	case shapePrefix:
		n := len(p) - 1
		return len(s) >= n && equal(p[:n], s[:n], fold)
	}
	return glob(p, s, fold)
}

func equal(a, b string, fold bool) bool {
	if fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// arnGlob matches an ARN against an ARN pattern component by component (arn:partition:service:
// region:account:resource), each component a glob, as ArnLike does. A value with fewer than six
// components matches nothing.
func arnGlob(p, s string) bool {
	for i := 0; i < 5; i++ {
		pp, prest, ok1 := strings.Cut(p, ":")
		sp, srest, ok2 := strings.Cut(s, ":")
		if !ok1 || !ok2 || !glob(pp, sp, false) {
			return false
		}
		p, s = prest, srest
	}
	return glob(p, s, false)
}

func quote(s string) string { return strconv.Quote(s) }
func itoa(n int) string     { return strconv.Itoa(n) }
