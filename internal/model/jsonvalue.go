package model

import (
	"bytes"
	"encoding/json"
)

// jsonValue is one value of a request body that json.Valid accepted, read in place: members and
// elements are found by skipping over the bytes, without decoding what the shape does not name.
type jsonValue struct {
	raw     []byte
	members []jsonMember // an object's members, found on the first lookup
	scanned bool
}

type jsonMember struct{ name, value []byte }

// wrap returns the value of raw, or nil for null (an absent member).
func wrap(raw []byte) value {
	if raw == nil || string(raw) == "null" {
		return nil
	}
	return &jsonValue{raw: raw}
}

func (j *jsonValue) object() ([]jsonMember, bool) {
	if len(j.raw) == 0 || j.raw[0] != '{' {
		return nil, false
	}
	if !j.scanned {
		j.scanned = true
		j.members = make([]jsonMember, 0, 8)
		items(j.raw, true, func(name, v []byte) { j.members = append(j.members, jsonMember{name, v}) })
	}
	return j.members, true
}

// member returns the last member with the name (encoding/json's choice for a repeated one).
func (j *jsonValue) member(name string) value {
	members, _ := j.object()
	var found []byte
	for _, m := range members {
		if sameName(m.name, name) {
			found = m.value
		}
	}
	return wrap(found)
}

// sameName compares a raw member name (between its quotes) with name, unescaping when needed.
func sameName(raw []byte, name string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw) == name
	}
	var s string
	return json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s) == nil && s == name
}

func (j *jsonValue) scalar(s *Shape) ([]byte, bool) {
	switch s.Type {
	case String, Blob:
		if j.raw[0] != '"' {
			return nil, false
		}
		inner := j.raw[1 : len(j.raw)-1]
		if bytes.IndexByte(inner, '\\') < 0 {
			return inner, true
		}
		var str string
		if json.Unmarshal(j.raw, &str) != nil {
			return nil, false
		}
		return []byte(str), true
	case Integer, Long:
		if c := j.raw[0]; c == '-' || (c >= '0' && c <= '9') {
			return j.raw, true
		}
	}
	return nil, false
}

func (j *jsonValue) elems() ([]value, bool) {
	if j.raw[0] != '[' {
		return nil, false
	}
	var out []value
	items(j.raw, false, func(_, v []byte) { out = append(out, wrap(v)) })
	if out == nil {
		out = []value{}
	}
	return out, true
}

func (j *jsonValue) entries() ([][]byte, []value, bool) {
	members, ok := j.object()
	if !ok {
		return nil, nil, false
	}
	keys := make([][]byte, len(members))
	vals := make([]value, len(members))
	for i, m := range members {
		keys[i] = m.name
		if bytes.IndexByte(m.name, '\\') >= 0 {
			var s string
			// The name is a JSON string the scanner has accepted: unquoting it cannot fail.
			_ = json.Unmarshal(append(append([]byte{'"'}, m.name...), '"'), &s)
			keys[i] = []byte(s)
		}
		vals[i] = wrap(m.value)
	}
	return keys, vals, true
}

// items calls fn for each member (object: name between its quotes, value) or element (array)
// of the valid JSON object or array b.
func items(b []byte, object bool, fn func(name, value []byte)) {
	i := skipSpace(b, 1)
	for i < len(b) && b[i] != '}' && b[i] != ']' {
		var name []byte
		if object {
			end := skipString(b, i)
			name = b[i+1 : end-1]
			i = skipSpace(b, end)
			i = skipSpace(b, i+1) // the colon
		}
		end := skipValue(b, i)
		fn(name, b[i:end])
		i = skipSpace(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] (a quote).
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	for i < len(b) && !isDelimiter(b[i]) {
		i++
	}
	return i
}

func isDelimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}
