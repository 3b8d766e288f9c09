package lake

import (
	"encoding/json"
	"unicode/utf8"
)

// ResultRows are a page of GetQueryResults' rows as AWS answers them: each row a list of one-entry
// maps {column name: value}, every value a string or null
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetQueryResults.html). The
// page is written straight from the result's rows: building a map for every value cost more than
// the query itself over a page of a thousand rows.
type ResultRows struct {
	Columns []string
	Rows    [][]*string // each row has a value for each column
}

// Len is the number of rows.
func (r ResultRows) Len() int { return len(r.Rows) }

// Maps are the rows in the API's shape.
func (r ResultRows) Maps() [][]map[string]*string {
	out := make([][]map[string]*string, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = make([]map[string]*string, len(row))
		for j, v := range row {
			out[i][j] = map[string]*string{r.Columns[j]: v}
		}
	}
	return out
}

// MarshalJSON writes the rows as [[{"column":"value"},…],…]; an empty page is [].
func (r ResultRows) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64*len(r.Rows)+2)
	b = append(b, '[')
	for i, row := range r.Rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, v := range row {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			b = appendJSONString(b, r.Columns[j])
			b = append(b, ':')
			if v == nil {
				b = append(b, "null"...)
			} else {
				b = appendJSONString(b, *v)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

// appendJSONString appends s as a JSON string: printable ASCII other than ", \ and the characters
// encoding/json escapes for HTML (<, >, &) as it is, anything else as encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
