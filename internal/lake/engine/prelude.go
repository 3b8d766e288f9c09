package engine

// prelude defines, as DuckDB macros under their Trino names, the Trino functions CloudTrail Lake
// queries use that DuckDB lacks or defines differently
// (https://trino.io/docs/current/functions.html). A macro shadows a built-in of the same name.
var prelude = []string{
	// element_at(map, key) is the value or NULL in Trino; DuckDB's returns a list. element_at(array, i)
	// is 1-based with negative i from the end in both, but DuckDB has no array overload.
	`CREATE MACRO element_at(a, b) AS (a)[b]`,
	// date_add(unit, value, timestamp) in Trino; DuckDB's date_add(date, interval) is kept.
	`CREATE MACRO date_add(d, i) AS d + i, (unit, n, ts) AS ts + to_seconds(0) + CASE lower(unit)
		WHEN 'millisecond' THEN to_milliseconds(n) WHEN 'second' THEN to_seconds(n)
		WHEN 'minute' THEN to_minutes(n) WHEN 'hour' THEN to_hours(n) WHEN 'day' THEN to_days(n)
		WHEN 'week' THEN to_weeks(n) WHEN 'month' THEN to_months(n) WHEN 'quarter' THEN to_months(3 * n)
		WHEN 'year' THEN to_years(n) END`,
	// json_extract_scalar returns NULL for objects and arrays; json_extract_string their text.
	`CREATE MACRO json_extract_scalar(j, p) AS CASE WHEN json_type(json_extract(j, p)) IN ('OBJECT', 'ARRAY')
		THEN NULL ELSE json_extract_string(j, p) END`,
	`CREATE MACRO json_parse(s) AS CAST(s AS JSON)`,
	`CREATE MACRO json_format(j) AS CAST(j AS VARCHAR)`,
	`CREATE MACRO json_array_get(j, i) AS json_extract(j, '$[' || CAST(i AS VARCHAR) || ']')`,
	`CREATE MACRO json_array_contains(j, v) AS list_contains(CAST(json_extract(j, '$[*]') AS VARCHAR[]), CAST(v AS VARCHAR))`,
	`CREATE MACRO is_json_scalar(j) AS json_type(CAST(j AS JSON)) NOT IN ('OBJECT', 'ARRAY')`,
	`CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)`,
	// Trino's day_of_week is ISO: Monday 1 to Sunday 7 (DuckDB's dayofweek has Sunday 0).
	`CREATE MACRO day_of_week(ts) AS isodow(ts)`,
	`CREATE MACRO dow(ts) AS isodow(ts)`,
	`CREATE MACRO day_of_month(ts) AS dayofmonth(ts)`,
	`CREATE MACRO day_of_year(ts) AS dayofyear(ts)`,
	`CREATE MACRO doy(ts) AS dayofyear(ts)`,
	`CREATE MACRO year_of_week(ts) AS isoyear(ts)`,
	`CREATE MACRO yow(ts) AS isoyear(ts)`,
	`CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`,
	`CREATE MACRO from_iso8601_date(s) AS CAST(s AS DATE)`,
	`CREATE MACRO to_iso8601(ts) AS strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ')`,
	`CREATE MACRO from_unixtime(x) AS to_timestamp(x)`,
	`CREATE MACRO to_unixtime(ts) AS epoch(ts)`,
	`CREATE MACRO date_format(ts, f) AS strftime(ts, f)`,
	`CREATE MACRO date_parse(s, f) AS strptime(s, f)`,
	`CREATE MACRO approx_distinct(x) AS approx_count_distinct(x)`,
	`CREATE MACRO approx_percentile(x, p) AS approx_quantile(x, p)`,
	// slice(array, start, length) in Trino; list_slice takes start and end.
	`CREATE MACRO slice(x, s, n) AS list_slice(x, s, s + n - 1)`,
}
