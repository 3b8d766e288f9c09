package events

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// secretMembers are the request and response members that never enter a record, at any depth,
// compared case-insensitively: plaintexts, data keys, ciphertexts, secret keys, session tokens,
// passwords and key material.
var secretMembers = map[string]bool{}

func init() {
	for _, m := range strings.Fields(`plaintext ciphertextblob secretaccesskey sessiontoken password newpassword oldpassword
		privatekeyplaintext privatekeyciphertextblob message signature mac encryptedkeymaterial importtoken
		sourceciphertextblob ciphertextforrecipient body`) {
		secretMembers[m] = true
	}
}

// isSecret reports whether a member name names a secret.
func isSecret(name []byte) bool {
	if len(name) > 32 {
		return false
	}
	var buf [32]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return secretMembers[string(buf[:len(name)])]
}

// mapMembers hold maps whose keys are the caller's data, kept as they are.
var mapMembers = map[string]bool{"EncryptionContext": true, "encryptionContext": true, "Metadata": true}

// Rewrite turns AWS-shaped JSON (PascalCase members) into a record's requestParameters or
// responseElements: member names in lowerCamelCase, secret members dropped at every depth. It
// returns nil when src is not valid JSON, or is not an object, or nothing is left of it.
func Rewrite(dst, src []byte) []byte {
	r := rewriter{src: src, out: dst}
	r.ws()
	if r.i >= len(r.src) || r.src[r.i] != '{' {
		return nil
	}
	if !r.value(false) {
		return nil
	}
	r.ws()
	if r.i != len(r.src) {
		return nil
	}
	if string(r.out[len(dst):]) == "{}" {
		return nil
	}
	return r.out
}

type rewriter struct {
	src []byte
	i   int
	out []byte
}

func (r *rewriter) ws() {
	for r.i < len(r.src) {
		switch r.src[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// value copies one JSON value; keep means object member names are kept as they are.
func (r *rewriter) value(keep bool) bool {
	r.ws()
	if r.i >= len(r.src) {
		return false
	}
	switch c := r.src[r.i]; {
	case c == '{':
		return r.object(keep)
	case c == '[':
		return r.array()
	case c == '"':
		start := r.i
		if !r.skipString() {
			return false
		}
		r.out = append(r.out, r.src[start:r.i]...)
		return true
	default:
		start := r.i
		for r.i < len(r.src) {
			c := r.src[r.i]
			if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				break
			}
			if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c >= 'a' && c <= 'z') {
				return false
			}
			r.i++
		}
		lit := string(r.src[start:r.i])
		if lit != "true" && lit != "false" && lit != "null" && !validNumber(lit) {
			return false
		}
		r.out = append(r.out, lit...)
		return true
	}
}

// special marks the bytes that end the plain run of a JSON string: quote, backslash, controls.
var special = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

const (
	lo7  = 0x0101010101010101
	hi7  = 0x8080808080808080
	quot = 0x2222222222222222
	bsl  = 0x5c5c5c5c5c5c5c5c
)

// plain8 reports whether none of 8 bytes is special (SWAR: no byte below 0x20, no quote, no
// backslash).
func plain8(w uint64) bool {
	below := (w - 0x20*lo7) &^ w
	q := w ^ quot
	b := w ^ bsl
	return (below|((q-lo7)&^q)|((b-lo7)&^b))&hi7 == 0
}

// skipString moves past a JSON string starting at r.i.
func (r *rewriter) skipString() bool {
	src, i := r.src, r.i+1
	var high uint64 // the high bits seen: non-ASCII bytes to check as UTF-8
	for i+8 <= len(src) {
		w := binary.LittleEndian.Uint64(src[i:])
		if !plain8(w) {
			break
		}
		high |= w & hi7
		i += 8
	}
	for i < len(src) {
		c := src[i]
		if !special[c] {
			high |= uint64(c & 0x80)
			i++
			continue
		}
		switch {
		case c == '\\':
			if i+1 >= len(src) {
				return false
			}
			switch src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(src) || !isHex4(src[i+2:i+6]) {
					return false
				}
				i += 6
			default:
				return false
			}
		case c == '"':
			// A string must be UTF-8: a record is read by strict parsers.
			if high != 0 && !utf8.Valid(src[r.i+1:i]) {
				return false
			}
			r.i = i + 1
			return true
		default:
			return false
		}
	}
	return false
}

// validNumber reports whether s is a JSON number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
func validNumber(s string) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// skipSecretString moves past a string that is dropped: only its end matters.
func (r *rewriter) skipSecretString() bool {
	r.i++
	for {
		q := bytes.IndexByte(r.src[r.i:], '"')
		if q < 0 {
			return false
		}
		end := r.i + q
		// The quote ends the string unless an odd number of backslashes precede it.
		n := 0
		for k := end - 1; k >= r.i && r.src[k] == '\\'; k-- {
			n++
		}
		r.i = end + 1
		if n%2 == 0 {
			return true
		}
	}
}

func (r *rewriter) object(keep bool) bool {
	r.i++
	r.out = append(r.out, '{')
	first, wrote := true, false
	for {
		r.ws()
		if r.i >= len(r.src) {
			return false
		}
		if r.src[r.i] == '}' {
			r.i++
			r.out = append(r.out, '}')
			return true
		}
		if !first {
			if r.src[r.i] != ',' {
				return false
			}
			r.i++
			r.ws()
		}
		if r.i >= len(r.src) || r.src[r.i] != '"' {
			return false
		}
		start := r.i
		if !r.skipString() {
			return false
		}
		name := r.src[start+1 : r.i-1]
		r.ws()
		if r.i >= len(r.src) || r.src[r.i] != ':' {
			return false
		}
		r.i++
		if !keep && isSecret(name) {
			// Skip the value without copying it: a string quickly, anything else by parsing.
			r.ws()
			if r.i < len(r.src) && r.src[r.i] == '"' {
				if !r.skipSecretString() {
					return false
				}
			} else {
				mark := len(r.out)
				if !r.value(true) {
					return false
				}
				r.out = r.out[:mark]
			}
			first = false
			continue
		}
		mark := len(r.out)
		if wrote {
			r.out = append(r.out, ',')
		}
		wrote = true
		r.out = append(r.out, '"')
		if keep {
			r.out = append(r.out, name...)
		} else {
			r.out = appendLowerFirst(r.out, name)
		}
		r.out = append(r.out, '"', ':')
		vstart := len(r.out)
		if !r.value(keep || mapMembers[string(name)]) {
			return false
		}
		first = false
		// A member with no value (null, or an empty string) is left out, as in AWS's records.
		if v := r.out[vstart:]; !keep && (string(v) == "null" || string(v) == `""`) {
			r.out = r.out[:mark]
			wrote = mark > 0 && r.out[len(r.out)-1] != '{'
		}
	}
}

func (r *rewriter) array() bool {
	r.i++
	r.out = append(r.out, '[')
	first := true
	for {
		r.ws()
		if r.i >= len(r.src) {
			return false
		}
		if r.src[r.i] == ']' {
			r.i++
			r.out = append(r.out, ']')
			return true
		}
		if !first {
			if r.src[r.i] != ',' {
				return false
			}
			r.i++
			r.out = append(r.out, ',')
		}
		if !r.value(false) {
			return false
		}
		first = false
	}
}

// appendLowerFirst appends name with its first letter in lower case.
func appendLowerFirst(b, name []byte) []byte {
	if len(name) > 0 && 'A' <= name[0] && name[0] <= 'Z' {
		b = append(b, name[0]+'a'-'A')
		return append(b, name[1:]...)
	}
	return append(b, name...)
}
