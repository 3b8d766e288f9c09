package model

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ValidateJSON checks a JSON-protocol request body against the input shape of service's operation
// and returns every violation as the service's validation error, or nil. Only the members the
// shape defines are parsed, so the walk is as deep as the shape and no deeper. A body that is not
// a JSON object is left to the decoder, which answers SerializationException.
func ValidateJSON(service, operation string, body []byte) error {
	in := Input(service, operation)
	if in == nil {
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	root := &jsonValue{raw: body}
	if _, ok := root.object(); !ok {
		return nil
	}
	c := &checker{}
	c.structure(in, root, "")
	return c.out.Err(service, operation)
}

// ValidateQuery checks a query-protocol request's parameters against the input shape of
// service's operation (members by name, lists as Name.member.N, maps as Name.entry.N.key/value)
// and returns every violation as the service's validation error, or nil.
func ValidateQuery(service, operation string, params map[string]string) error {
	in := Input(service, operation)
	if in == nil {
		return nil
	}
	c := &checker{}
	c.structure(in, &queryValue{params: params}, "")
	return c.out.Err(service, operation)
}

// jsonValue is one JSON value, parsed only as far as the shape asks.
type jsonValue struct {
	raw json.RawMessage
	obj map[string]json.RawMessage
	ok  bool // obj parsed
}

func (j *jsonValue) object() (map[string]json.RawMessage, bool) {
	if j.obj == nil && !j.ok {
		j.ok = json.Unmarshal(j.raw, &j.obj) == nil && j.obj != nil
	}
	return j.obj, j.ok
}

func wrap(raw json.RawMessage) value {
	if raw == nil || string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	return &jsonValue{raw: raw}
}

func (j *jsonValue) member(name string) value {
	obj, ok := j.object()
	if !ok {
		return nil
	}
	return wrap(obj[name])
}

func (j *jsonValue) scalar(s *Shape) (string, bool) {
	switch s.Type {
	case String, Blob:
		var str string
		if json.Unmarshal(j.raw, &str) != nil {
			return "", false
		}
		return str, true
	case Integer, Long:
		var n json.Number
		if json.Unmarshal(j.raw, &n) != nil {
			return "", false
		}
		return n.String(), true
	}
	return "", false
}

func (j *jsonValue) elems() ([]value, bool) {
	var raws []json.RawMessage
	if json.Unmarshal(j.raw, &raws) != nil || raws == nil {
		return nil, false
	}
	out := make([]value, len(raws))
	for i, r := range raws {
		out[i] = wrap(r)
	}
	return out, true
}

func (j *jsonValue) entries() ([]string, []value, bool) {
	obj, ok := j.object()
	if !ok {
		return nil, nil, false
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	vals := make([]value, len(keys))
	for i, k := range keys {
		vals[i] = wrap(obj[k])
	}
	return keys, vals, true
}

// queryValue is the value at one parameter prefix of a query request ("Tags.member.2").
type queryValue struct {
	params map[string]string
	prefix string
}

func (q *queryValue) key(name string) string {
	if q.prefix == "" {
		return name
	}
	return q.prefix + "." + name
}

// present reports whether any parameter is named p or starts with p + ".".
func (q *queryValue) present(p string) bool {
	if _, ok := q.params[p]; ok {
		return true
	}
	for k := range q.params {
		if strings.HasPrefix(k, p+".") {
			return true
		}
	}
	return false
}

func (q *queryValue) member(name string) value {
	p := q.key(name)
	if !q.present(p) {
		return nil
	}
	return &queryValue{params: q.params, prefix: p}
}

func (q *queryValue) scalar(s *Shape) (string, bool) {
	v, ok := q.params[q.prefix]
	if !ok {
		return "", false
	}
	switch s.Type {
	case String, Blob, Integer, Long:
		return v, true
	}
	return "", false
}

// indexes returns the distinct N of the parameters named prefix.N or prefix.N.…, ascending.
func (q *queryValue) indexes(prefix string) []int {
	seen := map[int]bool{}
	for k := range q.params {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		n, _, _ := strings.Cut(rest, ".")
		if i, err := strconv.Atoi(n); err == nil && i > 0 {
			seen[i] = true
		}
	}
	out := make([]int, 0, len(seen))
	for i := range seen {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

func (q *queryValue) elems() ([]value, bool) {
	p := q.prefix + ".member"
	idx := q.indexes(p)
	out := make([]value, len(idx))
	for i, n := range idx {
		out[i] = &queryValue{params: q.params, prefix: p + "." + strconv.Itoa(n)}
	}
	return out, true
}

func (q *queryValue) entries() ([]string, []value, bool) {
	p := q.prefix + ".entry"
	var keys []string
	var vals []value
	for _, n := range q.indexes(p) {
		e := p + "." + strconv.Itoa(n)
		keys = append(keys, q.params[e+".key"])
		var v value
		if q.present(e + ".value") {
			v = &queryValue{params: q.params, prefix: e + ".value"}
		}
		vals = append(vals, v)
	}
	return keys, vals, true
}
