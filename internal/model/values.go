package model

import (
	"bytes"
	"encoding/json"
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
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if body[0] != '{' || !json.Valid(body) {
		return nil
	}
	root := &jsonValue{raw: body}
	c := &checker{}
	c.structure(in, root)
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
	c.structure(in, &queryValue{params: params})
	return c.out.Err(service, operation)
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

func (q *queryValue) scalar(s *Shape) ([]byte, bool) {
	v, ok := q.params[q.prefix]
	if !ok {
		return nil, false
	}
	switch s.Type {
	case String, Blob, Integer, Long:
		return []byte(v), true
	}
	return nil, false
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

func (q *queryValue) entries() ([][]byte, []value, bool) {
	p := q.prefix + ".entry"
	var keys [][]byte
	var vals []value
	for _, n := range q.indexes(p) {
		e := p + "." + strconv.Itoa(n)
		keys = append(keys, []byte(q.params[e+".key"]))
		var v value
		if q.present(e + ".value") {
			v = &queryValue{params: q.params, prefix: e + ".value"}
		}
		vals = append(vals, v)
	}
	return keys, vals, true
}
