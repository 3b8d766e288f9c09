//go:build cgo

package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// colType is a DuckDB column type as far as formatting needs it: its name, and for a STRUCT its
// fields in order (duckdb-go scans a struct into a Go map, which has none).
type colType struct {
	name   string // STRUCT, MAP, LIST, or the scalar type's name
	fields []field
	elem   *colType // LIST and ARRAY elements, MAP values
}

type field struct {
	name string
	typ  colType
}

// parseType reads a type name as duckdb-go writes it: STRUCT("a" T, ...), MAP(K, V), T[], T[n],
// DECIMAL(w,s) and plain names.
func parseType(s string) colType {
	t, _ := parseTypeAt(s, 0)
	return t
}

func parseTypeAt(s string, i int) (colType, int) {
	start := i
	for i < len(s) && s[i] != '(' && s[i] != ',' && s[i] != ')' && s[i] != '[' {
		i++
	}
	t := colType{name: strings.TrimSpace(s[start:i])}
	if i < len(s) && s[i] == '(' {
		i++
		switch t.name {
		case "STRUCT":
			for i < len(s) && s[i] != ')' {
				var name string
				name, i = parseFieldName(s, i)
				var ft colType
				ft, i = parseTypeAt(s, i)
				t.fields = append(t.fields, field{name: name, typ: ft})
				if i < len(s) && s[i] == ',' {
					i++
				}
			}
		case "MAP":
			_, i = parseTypeAt(s, i)
			if i < len(s) && s[i] == ',' {
				i++
			}
			var v colType
			v, i = parseTypeAt(s, i)
			t.elem = &v
		default: // DECIMAL(w,s) and the like
			for i < len(s) && s[i] != ')' {
				i++
			}
		}
		i++ // ')'
	}
	for i < len(s) && s[i] == '[' {
		for i < len(s) && s[i] != ']' {
			i++
		}
		i++
		inner := t
		t = colType{name: "LIST", elem: &inner}
	}
	return t, i
}

func parseFieldName(s string, i int) (string, int) {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) && s[i] == '"' {
		end := skipQuoted(s, i, '"')
		return strings.ReplaceAll(s[i+1:end-1], `""`, `"`), end + 1
	}
	start := i
	for i < len(s) && s[i] != ' ' {
		i++
	}
	return s[start:i], i + 1
}

// text formats a value in Trino's text form: timestamps as YYYY-MM-DD HH:MM:SS.mmm, arrays as
// [a, b], maps as {k=v}, rows as {field=value}, doubles as Java prints them.
func text(v any, t colType) string {
	if t.name == "JSON" && v != nil { // duckdb-go decodes JSON values; Trino shows their text
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(v) == nil {
			return strings.TrimSuffix(buf.String(), "\n")
		}
	}
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return formatDouble(v)
	case float32:
		return formatDouble(float64(v))
	case time.Time:
		return formatTime(v, t.name)
	case duckdb.Decimal:
		return formatDecimal(v)
	case *big.Int:
		return v.String()
	case []byte:
		return string(v)
	case duckdb.Interval:
		return fmt.Sprintf("%d months %d days %d microseconds", v.Months, v.Days, v.Micros)
	case duckdb.OrderedMap:
		return formatMap(v, t)
	case []any:
		return formatList(v, t)
	case map[string]any:
		if t.name == "STRUCT" {
			return formatStruct(v, t)
		}
	}
	return fmt.Sprint(v)
}

func formatTime(v time.Time, typ string) string {
	switch typ {
	case "DATE":
		return v.UTC().Format("2006-01-02")
	case "TIME", "TIMETZ":
		return v.Format("15:04:05.000")
	}
	return v.UTC().Format("2006-01-02 15:04:05.000")
}

// formatDouble writes a double as Java's Double.toString does, which is what Trino's varchar form
// of a double follows: 1.5, 100.0, 1.0E7, 1.0E-4.
func formatDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-3 && a < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64)
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	return mant + "E" + strings.TrimPrefix(strings.TrimPrefix(exp, "+"), "0")
}

func formatDecimal(d duckdb.Decimal) string {
	digits := new(big.Int).Abs(d.Value).String()
	scale := int(d.Scale)
	for len(digits) <= scale {
		digits = "0" + digits
	}
	s := digits
	if scale > 0 {
		s = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if d.Value.Sign() < 0 {
		s = "-" + s
	}
	return s
}

func formatMap(m duckdb.OrderedMap, t colType) string {
	var elem colType
	if t.elem != nil {
		elem = *t.elem
	}
	var b strings.Builder
	b.WriteByte('{')
	values := m.Values()
	for i, k := range m.Keys() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(text(k, colType{}))
		b.WriteByte('=')
		b.WriteString(text(values[i], elem))
	}
	b.WriteByte('}')
	return b.String()
}

func formatList(l []any, t colType) string {
	var elem colType
	if t.elem != nil {
		elem = *t.elem
	}
	parts := make([]string, len(l))
	for i, v := range l {
		parts[i] = text(v, elem)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func formatStruct(m map[string]any, t colType) string {
	parts := make([]string, len(t.fields))
	for i, f := range t.fields {
		parts[i] = f.name + "=" + text(m[f.name], f.typ)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
