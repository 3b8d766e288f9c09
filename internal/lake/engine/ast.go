package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// node is a JSON object of DuckDB's serialized syntax tree (json_serialize_sql).
type node = map[string]any

// parsed is json_serialize_sql's answer.
type parsed struct {
	Error        bool   `json:"error"`
	ErrorType    string `json:"error_type"`
	ErrorMessage string `json:"error_message"`
	Statements   []any  `json:"statements"`
}

// decodeTree reads json_serialize_sql's output into a single SELECT statement's tree, or an
// ErrInvalidStatement error.
func decodeTree(text string) (node, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber() // query locations are uint64 and must survive the round trip
	var p parsed
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidStatement, err)
	}
	switch {
	case p.Error && p.ErrorType == "parser":
		return nil, fmt.Errorf("%w: %s", ErrInvalidStatement, p.ErrorMessage)
	case p.Error:
		return nil, fmt.Errorf("%w: only a single SELECT statement is supported", ErrInvalidStatement)
	case len(p.Statements) != 1:
		return nil, fmt.Errorf("%w: only a single SELECT statement is supported (found %d statements)",
			ErrInvalidStatement, len(p.Statements))
	}
	stmt, ok := p.Statements[0].(node)
	if !ok {
		return nil, fmt.Errorf("%w: unreadable statement", ErrInvalidStatement)
	}
	return stmt, nil
}

// encodeTree is the JSON json_deserialize_sql takes for one statement.
func encodeTree(stmt node) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(node{"error": false, "statements": []any{stmt}})
	return strings.TrimSpace(buf.String()), err
}

// columnNames returns the output column names Lake gives a statement's select list: the alias,
// else the last field of a dereference (useridentity.arn → arn), else _colN by position
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-lake-examples.html). ok is false
// when the list has a star, whose columns only DuckDB knows.
func columnNames(stmt node) (names []string, ok bool) {
	n, _ := stmt["node"].(node)
	for n != nil && n["type"] == "SET_OPERATION_NODE" {
		n, _ = n["left"].(node)
	}
	if n == nil {
		return nil, false
	}
	list, _ := n["select_list"].([]any)
	for i, item := range list {
		e, _ := item.(node)
		alias, _ := e["alias"].(string)
		switch {
		case alias != "":
			names = append(names, alias)
		case e["class"] == "STAR":
			return nil, false
		case e["class"] == "COLUMN_REF":
			names = append(names, lastName(e))
		case e["type"] == "STRUCT_EXTRACT" && fieldName(e) != "":
			names = append(names, fieldName(e))
		default:
			names = append(names, "_col"+strconv.Itoa(i))
		}
	}
	return names, true
}

// lastName is the last part of a column reference (useridentity.arn → arn).
func lastName(col node) string {
	parts, _ := col["column_names"].([]any)
	if len(parts) == 0 {
		return ""
	}
	last, _ := parts[len(parts)-1].(string)
	return last
}

// fieldName is the field a dereference of an expression's value reads (element_at(r, 1).arn → arn).
func fieldName(e node) string {
	args, _ := e["children"].([]any)
	if len(args) != 2 {
		return ""
	}
	c, _ := args[1].(node)
	v, _ := c["value"].(node)
	name, _ := v["value"].(string)
	return name
}

// rewriter checks a statement's tree and rewrites it from Trino's dialect to DuckDB's.
type rewriter struct {
	tables map[string]bool // the tables (tableIdent) of the stores the query may read
	unnest node            // a LATERAL (SELECT unnest(?, recursive := true)) table reference
	now    *time.Time      // the query's current time, nil for DuckDB's clock

	timeLiterals []string // string literals compared with eventtime
}

// errNotAllowed reports a table the query may not read.
var errNotAllowed = errors.New("not allowed")

// walk checks and rewrites v (a node, a list or a scalar) within the CTE names in scope, and
// returns its replacement.
func (r *rewriter) walk(v any, scope map[string]bool) (any, error) {
	switch v := v.(type) {
	case []any:
		for i := range v {
			w, err := r.walk(v[i], scope)
			if err != nil {
				return nil, err
			}
			v[i] = w
		}
		return v, nil
	case node:
		return r.walkNode(v, scope)
	}
	return v, nil
}

func (r *rewriter) walkNode(n node, scope map[string]bool) (any, error) {
	if ctes, ok := n["cte_map"].(node); ok {
		scope = withCTEs(scope, ctes)
	}
	switch n["type"] {
	case "BASE_TABLE":
		return n, r.checkTable(n, scope)
	case "TABLE_FUNCTION":
		return r.tableFunction(n, scope)
	}
	for k, child := range n {
		w, err := r.walk(child, scope)
		if err != nil {
			return nil, err
		}
		n[k] = w
	}
	if r.now != nil {
		if c, ok := r.clock(n); ok {
			return c, nil
		}
	}
	switch n["class"] {
	case "COMPARISON":
		r.timeLiteral(n, "left", "right")
		r.timeLiteral(n, "right", "left")
	case "BETWEEN":
		r.timeLiteral(n, "input", "lower")
		r.timeLiteral(n, "input", "upper")
	case "FUNCTION":
		return rewriteFunction(n), nil
	case "CAST":
		return rewriteCast(n), nil
	}
	return n, nil
}

// clock replaces a read of the current time (current_timestamp, now(), current_date, localtimestamp)
// with the engine clock's time.
func (r *rewriter) clock(n node) (node, bool) {
	var name string
	switch n["class"] {
	case "COLUMN_REF":
		parts, _ := n["column_names"].([]any)
		if len(parts) == 1 {
			name, _ = parts[0].(string)
		}
	case "FUNCTION":
		if args, _ := n["children"].([]any); len(args) == 0 {
			name, _ = n["function_name"].(string)
		}
	}
	now := r.now.UTC()
	var typ, value string
	switch strings.ToLower(name) {
	case "current_timestamp", "now", "get_current_timestamp", "transaction_timestamp":
		typ, value = "TIMESTAMP WITH TIME ZONE", now.Format("2006-01-02 15:04:05.999999")+"+00"
	case "localtimestamp":
		typ, value = "TIMESTAMP", now.Format("2006-01-02 15:04:05.999999")
	case "current_date", "today":
		typ, value = "DATE", now.Format("2006-01-02")
	default:
		return nil, false
	}
	return node{"class": "CAST", "type": "OPERATOR_CAST", "alias": n["alias"], "query_location": n["query_location"],
		"child": constant(value), "cast_type": node{"id": typ, "type_info": nil}, "try_cast": false}, true
}

func withCTEs(scope map[string]bool, ctes node) map[string]bool {
	entries, _ := ctes["map"].([]any)
	if len(entries) == 0 {
		return scope
	}
	inner := make(map[string]bool, len(scope)+len(entries))
	for k := range scope {
		inner[k] = true
	}
	for _, e := range entries {
		if entry, ok := e.(node); ok {
			if key, ok := entry["key"].(string); ok {
				inner[strings.ToLower(key)] = true
			}
		}
	}
	return inner
}

// checkTable allows a store table the caller checked, or a CTE in scope; nothing else (no
// catalog tables, no files).
func (r *rewriter) checkTable(n node, scope map[string]bool) error {
	schema, _ := n["schema_name"].(string)
	catalog, _ := n["catalog_name"].(string)
	name, _ := n["table_name"].(string)
	switch {
	case catalog == "" && schema == storeSchema && r.tables[name]:
		return nil
	case catalog == "" && schema == "" && scope[strings.ToLower(name)]:
		return nil
	}
	if schema != "" {
		name = schema + "." + name
	}
	return fmt.Errorf("%w: %q is not an event data store ID or ARN", errNotAllowed, name)
}

// tableFunction allows UNNEST only. Trino expands the fields of an unnested array of rows into
// columns (`FROM eds, unnest(arr) AS rt` then `rt.field`), DuckDB does not: without column aliases
// the UNNEST becomes a lateral SELECT unnest(arr, recursive := true).
func (r *rewriter) tableFunction(n node, scope map[string]bool) (any, error) {
	fn, _ := n["function"].(node)
	name, _ := fn["function_name"].(string)
	if !strings.EqualFold(name, "unnest") {
		return nil, fmt.Errorf("%w: table function %s is not supported", errNotAllowed, name)
	}
	if _, err := r.walk(fn["children"], scope); err != nil {
		return nil, err
	}
	aliases, _ := n["column_name_alias"].([]any)
	args, _ := fn["children"].([]any)
	if len(aliases) > 0 || len(args) != 1 || r.unnest == nil {
		return n, nil
	}
	sub, _ := deepCopy(r.unnest).(node)
	call, _ := dig(sub, "subquery", "node", "select_list", 0).(node)
	callArgs, _ := dig(call, "children").([]any)
	if len(callArgs) == 0 {
		return n, nil
	}
	sub["alias"] = n["alias"]
	callArgs[0] = args[0]
	return sub, nil
}

// Functions renamed to their DuckDB equivalents (same arguments, same results).
var renames = map[string]string{
	"transform":  "list_transform", // lambdas cannot be macro arguments
	"date_diff":  "date_sub",       // whole units, as Trino; DuckDB's date_diff counts boundaries
	"array_join": "array_to_string",
	"array_max":  "list_max",
	"array_min":  "list_min",
	"filter":     "list_filter",
	"zip_with":   "list_zip_with",
}

// rewriteFunction rewrites a Trino function call DuckDB spells differently.
func rewriteFunction(n node) any {
	if s, _ := n["schema"].(string); s != "" {
		return n
	}
	name, _ := n["function_name"].(string)
	name = strings.ToLower(name)
	args, _ := n["children"].([]any)
	if to, ok := renames[name]; ok {
		n["function_name"] = to
		return n
	}
	switch {
	case jsonPathFunctions[name] && len(args) == 2:
		rewriteJSONPath(args[1])
	case name == "cardinality" && len(args) == 1 && !isMap(args[0]):
		n["function_name"] = "len"
	case name == "replace" && len(args) == 2:
		n["children"] = append(args, constant(""))
	case (name == "any_match" || name == "all_match" || name == "none_match") && len(args) == 2:
		agg := "list_bool_or"
		if name == "all_match" {
			agg = "list_bool_and"
		}
		inner := node{"class": "FUNCTION", "type": "FUNCTION", "alias": "", "query_location": n["query_location"],
			"function_name": "list_transform", "schema": "", "catalog": "", "children": args,
			"filter": nil, "order_bys": n["order_bys"], "distinct": false, "is_operator": false, "export_state": false}
		n["function_name"] = agg
		n["children"] = []any{inner}
		if name == "none_match" {
			return node{"class": "OPERATOR", "type": "OPERATOR_NOT", "alias": n["alias"],
				"query_location": n["query_location"], "children": []any{n}}
		}
	}
	return n
}

// timeLiteral notes a string literal compared with eventtime. Trino coerces such a literal to a
// timestamp when it analyses the query, so a literal that is no timestamp (a template's
// '${date_filter}') fails the query; DuckDB casts it lazily, and not at all when another condition
// has already emptied the rows, so Prepare checks the noted literals itself.
func (r *rewriter) timeLiteral(n node, colKey, litKey string) {
	col, _ := n[colKey].(node)
	lit, _ := n[litKey].(node)
	if col == nil || lit == nil || col["class"] != "COLUMN_REF" || lit["class"] != "CONSTANT" {
		return
	}
	last := lastName(col)
	value, _ := lit["value"].(node)
	typ, _ := value["type"].(node)
	text, ok := value["value"].(string)
	if strings.EqualFold(last, "eventtime") && typ["id"] == "VARCHAR" && ok {
		r.timeLiterals = append(r.timeLiterals, text)
	}
}

// mapColumns are the schema's map columns and map fields.
var mapColumns = map[string]bool{"requestparameters": true, "responseelements": true, "additionaleventdata": true,
	"serviceeventdetails": true, "addendum": true, "edgedevicedetails": true, "insightdetails": true,
	"attributes": true, "principaltags": true, "tags": true}

// isMap reports whether an expression is a map: a map column or a map constructor. cardinality
// takes maps and arrays in Trino, only maps in DuckDB (whose len takes lists), and a macro cannot
// choose by type, so the choice is made here.
func isMap(arg any) bool {
	e, _ := arg.(node)
	switch e["class"] {
	case "COLUMN_REF":
		return mapColumns[strings.ToLower(lastName(e))]
	case "FUNCTION":
		name, _ := e["function_name"].(string)
		name = strings.ToLower(name)
		return name == "map" || name == "map_from_entries" || name == "map_concat" || name == "map_filter"
	}
	return false
}

// jsonPathFunctions take a JSONPath as their second argument.
var jsonPathFunctions = map[string]bool{"json_extract": true, "json_extract_scalar": true, "json_size": true,
	"json_array_length": true}

// bracketKey is a JSONPath member written as ["key"], which Trino takes and DuckDB does not.
var bracketKey = regexp.MustCompile(`\["((?:[^"\\]|\\.)*)"\]`)

// rewriteJSONPath rewrites a constant JSONPath's ["key"] members as ."key", DuckDB's spelling
// (https://trino.io/docs/current/functions/json.html#json-path-language).
func rewriteJSONPath(arg any) {
	c, _ := arg.(node)
	v, _ := c["value"].(node)
	if p, ok := v["value"].(string); ok && c["class"] == "CONSTANT" {
		v["value"] = bracketKey.ReplaceAllString(p, `."$1"`)
	}
}

// rewriteCast turns CAST(json_extract(j, p) AS varchar) into json_extract_string(j, p): Trino's
// cast of a JSON string yields its text, DuckDB's keeps the quotes.
func rewriteCast(n node) any {
	typ, _ := n["cast_type"].(node)
	child, _ := n["child"].(node)
	if typ == nil || typ["id"] != "VARCHAR" || child == nil || child["class"] != "FUNCTION" {
		return n
	}
	if name, _ := child["function_name"].(string); !strings.EqualFold(name, "json_extract") {
		return n
	}
	child["function_name"] = "json_extract_string"
	child["alias"] = n["alias"]
	return child
}

func constant(s string) node {
	return node{"class": "CONSTANT", "type": "VALUE_CONSTANT", "alias": "", "query_location": json.Number("18446744073709551615"),
		"value": node{"type": node{"id": "VARCHAR", "type_info": nil}, "is_null": false, "value": s}}
}

// dig follows a path of object keys (strings) and list indexes (ints) into a tree; nil when the
// path is not there.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			n, _ := v.(node)
			v = n[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case node:
		c := make(node, len(v))
		for k, x := range v {
			c[k] = deepCopy(x)
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i, x := range v {
			c[i] = deepCopy(x)
		}
		return c
	}
	return v
}
