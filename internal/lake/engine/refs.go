package engine

import (
	"encoding/hex"
	"regexp"
	"strings"
)

// storeSchema is the DuckDB schema that holds one table per store, named by the store ID.
const storeSchema = "lake"

// storeRef is a store reference found in a query: the text span it occupies and the store ID.
type storeRef struct {
	start, end int
	id         string
}

var (
	// Lake takes a store ID unquoted after FROM (`FROM EXAMPLEf852-4e8f-8bd1-bcf6cEXAMPLE`,
	// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-lake-examples.html), which no
	// SQL parser reads as a table name; a token with a dash there is one.
	idPattern = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+)+$`)
	// After a comma only a store-ID-shaped token (five groups, as a UUID) counts, so that `a-b, c`
	// in a select list is left alone.
	uuidPattern = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+){4}$`)
	arnPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]*:[0-9]*:eventdatastore/([A-Za-z0-9-]+)$`)
)

// StoreID returns the store ID a query's table reference names: the reference itself, or the ID
// at the end of an event data store ARN (arn:aws:cloudtrail:REGION:ACCOUNT:eventdatastore/ID), and
// whether ref is a store reference at all.
func StoreID(ref string) (string, bool) {
	if m := arnPattern.FindStringSubmatch(ref); m != nil {
		return m[1], true
	}
	return ref, idPattern.MatchString(ref)
}

// findRefs returns the store references of a query, in order: the tokens after FROM, JOIN or a
// comma that name a store by ID or ARN, unquoted or in double quotes. String literals, quoted
// identifiers elsewhere and comments are skipped.
func findRefs(sql string) []storeRef {
	var refs []storeRef
	prev := ""
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'':
			i = skipQuoted(sql, i, '\'')
			prev = "'"
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			i = skipUntil(sql, i, "\n")
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			i = skipUntil(sql, i, "*/")
		case isSpace(c):
			i++
		case strings.IndexByte("(),;", c) >= 0:
			prev = string(c)
			i++
		default:
			end := tokenEnd(sql, i)
			if ref, ok := refAt(sql, i, end, prev); ok {
				refs = append(refs, ref)
			}
			prev = strings.ToUpper(sql[i:end])
			i = end
		}
	}
	return refs
}

// refAt reports whether sql[start:end], following prev, is a store reference.
func refAt(sql string, start, end int, prev string) (storeRef, bool) {
	tok := sql[start:end]
	switch prev {
	case "FROM", "JOIN", ",":
	case "INTO", "UPDATE", "TABLE", "DESCRIBE": // read as stores so that the refusal names the statement
	default:
		return storeRef{}, false
	}
	if len(tok) >= 2 && tok[0] == '"' && tok[len(tok)-1] == '"' {
		tok = tok[1 : len(tok)-1]
	}
	id, ok := StoreID(tok)
	if !ok || (prev == "," && id == tok && !uuidPattern.MatchString(tok)) {
		return storeRef{}, false
	}
	return storeRef{start: start, end: end, id: id}, true
}

// tokenEnd returns the end of the token at i: a double-quoted identifier, or a run of characters up
// to a space, a parenthesis, a comma or a semicolon.
func tokenEnd(sql string, i int) int {
	if sql[i] == '"' {
		return skipQuoted(sql, i, '"')
	}
	j := i
	for j < len(sql) && !isSpace(sql[j]) && strings.IndexByte("(),;'", sql[j]) < 0 {
		j++
	}
	if j == i {
		j++
	}
	return j
}

// skipQuoted returns the index after the quoted text starting at i (a doubled quote is an escape).
func skipQuoted(sql string, i int, q byte) int {
	for j := i + 1; j < len(sql); j++ {
		if sql[j] == q {
			if j+1 < len(sql) && sql[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(sql)
}

func skipUntil(sql string, i int, end string) int {
	if k := strings.Index(sql[i+2:], end); k >= 0 {
		return i + 2 + k + len(end)
	}
	return len(sql)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// replaceRefs returns sql with each reference replaced by its store's table.
func replaceRefs(sql string, refs []storeRef) string {
	var b strings.Builder
	last := 0
	for _, r := range refs {
		b.WriteString(sql[last:r.start])
		b.WriteString(tableName(r.id))
		last = r.end
	}
	b.WriteString(sql[last:])
	return b.String()
}

// tableIdent is the name of a store's table. DuckDB matches identifiers case-insensitively, even
// quoted ones, so the name is the ID in hex: IDs that differ only in case get different tables.
func tableIdent(id string) string { return "eds_" + hex.EncodeToString([]byte(id)) }

// tableName is the qualified name of a store's table.
func tableName(id string) string { return storeSchema + "." + tableIdent(id) }
