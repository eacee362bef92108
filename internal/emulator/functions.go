package emulator

import (
	"fmt"
	"strings"
)

// fnCall is one function call being rendered: its name, its arguments as
// DuckDB SQL, and their tokens for the functions that need to look at them.
type fnCall struct {
	r    *renderer
	name string
	args []string
	raw  [][]token
}

// fn renders a call. Returning an error refuses the call.
type fn func(c fnCall) (string, error)

// fnSpec is one Databricks function: how many arguments it takes and how
// it is written in DuckDB.
type fnSpec struct {
	min, max int // max -1: any number
	render   fn
}

// same is a function DuckDB has under the same name and meaning.
func same(least, most int) fnSpec { return as("", least, most) }

// as is a function DuckDB has under another name.
func as(duck string, least, most int) fnSpec {
	return fnSpec{least, most, func(c fnCall) (string, error) {
		name := duck
		if name == "" {
			name = strings.ToLower(c.name)
		}
		return name + "(" + strings.Join(c.args, ", ") + ")", nil
	}}
}

// tmpl is a function written as a template over its arguments (%[1]s...).
func tmpl(least, most int, format string) fnSpec {
	return fnSpec{least, most, func(c fnCall) (string, error) {
		a := make([]any, 3)
		for i := range a {
			a[i] = ""
			if i < len(c.args) {
				a[i] = c.args[i]
			}
		}
		return fmt.Sprintf(format, a...), nil
	}}
}

// castTo is Databricks' type-named cast functions: string(x), int(x), ...
func castTo(typ string) fnSpec { return tmpl(1, 1, "CAST(%[1]s AS "+typ+")") }

// sizeOf counts the elements of an array or the entries of a map, whichever
// it is given: DuckDB needs to know which at bind time, JSON does not.
const sizeOf = `CAST(CASE WHEN (%[1]s) IS NULL THEN NULL WHEN json_type(to_json(%[1]s)) = 'OBJECT' THEN len(json_keys(to_json(%[1]s))) ELSE json_array_length(to_json(%[1]s)) END AS INTEGER)`

// lambdaVar names the variable of the lambdas the emulator writes itself, so
// it cannot shadow a column.
const lambdaVar = "emulator$x"

var functions map[string]fnSpec

func init() {
	functions = map[string]fnSpec{
		// aggregates and windows
		"count": same(0, -1), "sum": same(1, 1), "avg": same(1, 1), "mean": as("avg", 1, 1), "min": same(1, 1),
		"max": same(1, 1), "count_if": same(1, 1), "bool_and": same(1, 1), "bool_or": same(1, 1), "every": as("bool_and", 1, 1),
		"any_value": same(1, 2), "first": same(1, 2), "last": same(1, 2), "first_value": same(1, 2), "last_value": same(1, 2),
		"stddev": same(1, 1), "stddev_samp": same(1, 1), "stddev_pop": same(1, 1), "std": as("stddev", 1, 1),
		"variance": same(1, 1), "var_samp": same(1, 1), "var_pop": same(1, 1), "median": same(1, 1),
		"corr": same(2, 2), "covar_pop": same(2, 2), "covar_samp": same(2, 2), "max_by": as("arg_max", 2, 2),
		"min_by": as("arg_min", 2, 2), "approx_count_distinct": same(1, 2), "mode": same(1, 1),
		"percentile": as("quantile_cont", 2, 2), "percentile_approx": as("approx_quantile", 2, 3),
		"approx_percentile": as("approx_quantile", 2, 3),
		"collect_list":      tmpl(1, 1, "coalesce(list(%[1]s) FILTER (WHERE (%[1]s) IS NOT NULL), [])"),
		"array_agg":         tmpl(1, 1, "coalesce(list(%[1]s) FILTER (WHERE (%[1]s) IS NOT NULL), [])"),
		"collect_set":       tmpl(1, 1, "coalesce(list(DISTINCT %[1]s) FILTER (WHERE (%[1]s) IS NOT NULL), [])"),
		"row_number":        same(0, 0), "rank": same(0, 0), "dense_rank": same(0, 0), "percent_rank": same(0, 0),
		"cume_dist": same(0, 0), "ntile": same(1, 1), "lag": same(1, 3), "lead": same(1, 3), "nth_value": same(2, 2),
		// conditionals
		"coalesce": same(1, -1), "nvl": as("coalesce", 2, 2), "ifnull": as("coalesce", 2, 2), "nullif": same(2, 2),
		"nvl2": tmpl(3, 3, "CASE WHEN (%[1]s) IS NOT NULL THEN %[2]s ELSE %[3]s END"),
		"if":   tmpl(3, 3, "CASE WHEN %[1]s THEN %[2]s ELSE %[3]s END"), "iff": tmpl(3, 3, "CASE WHEN %[1]s THEN %[2]s ELSE %[3]s END"),
		"greatest": same(2, -1), "least": same(2, -1), "isnull": tmpl(1, 1, "((%[1]s) IS NULL)"),
		"isnotnull": tmpl(1, 1, "((%[1]s) IS NOT NULL)"), "zeroifnull": tmpl(1, 1, "coalesce(%[1]s, 0)"),
		"nullifzero": tmpl(1, 1, "nullif(%[1]s, 0)"), "raise_error": as("error", 1, 1),
		// numbers
		"abs": same(1, 1), "ceil": same(1, 1), "ceiling": as("ceil", 1, 1), "floor": same(1, 1), "round": same(1, 2),
		"sqrt": same(1, 1), "cbrt": same(1, 1), "exp": same(1, 1), "ln": same(1, 1), "log10": same(1, 1), "log2": same(1, 1),
		"log": same(1, 2), "pow": same(2, 2), "power": same(2, 2), "mod": same(2, 2), "sign": same(1, 1),
		"signum": as("sign", 1, 1), "rand": as("random", 0, 1), "random": as("random", 0, 1), "pi": same(0, 0),
		"degrees": same(1, 1), "radians": same(1, 1), "sin": same(1, 1), "cos": same(1, 1), "tan": same(1, 1),
		"asin": same(1, 1), "acos": same(1, 1), "atan": same(1, 1), "atan2": same(2, 2),
		"pmod":       tmpl(2, 2, "(((%[1]s) %% (%[2]s)) + (%[2]s)) %% (%[2]s)"),
		"try_divide": tmpl(2, 2, "CASE WHEN (%[2]s) = 0 THEN NULL ELSE (%[1]s) / (%[2]s) END"),
		// strings
		"concat":    {1, -1, func(c fnCall) (string, error) { return "(" + strings.Join(c.args, " || ") + ")", nil }},
		"concat_ws": same(1, -1), "length": same(1, 1), "len": as("length", 1, 1), "char_length": as("length", 1, 1),
		"character_length": as("length", 1, 1), "lower": same(1, 1), "lcase": as("lower", 1, 1), "upper": same(1, 1),
		"ucase": as("upper", 1, 1), "trim": same(1, 2), "ltrim": same(1, 2), "rtrim": same(1, 2), "lpad": same(3, 3),
		"rpad": same(3, 3), "repeat": same(2, 2), "reverse": same(1, 1), "replace": same(2, 3), "substr": as("substring", 2, 3),
		"substring": same(2, 3), "left": same(2, 2), "right": same(2, 2), "instr": same(2, 2),
		"locate": tmpl(2, 2, "instr(%[2]s, %[1]s)"), "split_part": same(3, 3),
		"split":              tmpl(2, 2, "regexp_split_to_array(%[1]s, %[2]s)"),
		"regexp_extract":     withDefault("regexp_extract", 2, "1"),
		"regexp_extract_all": withDefault("regexp_extract_all", 2, "1"),
		"regexp_replace":     {3, 3, regexpReplace},
		"regexp_like":        as("regexp_matches", 2, 2), "rlike": as("regexp_matches", 2, 2),
		"startswith": as("starts_with", 2, 2), "endswith": as("ends_with", 2, 2), "contains": same(2, 2),
		"md5": same(1, 1), "sha1": same(1, 1), "sha2": {2, 2, sha2}, "sha": as("sha1", 1, 1),
		"base64": tmpl(1, 1, "to_base64(CAST(%[1]s AS BLOB))"), "unbase64": as("from_base64", 1, 1),
		"hex": same(1, 1), "unhex": same(1, 1), "ascii": same(1, 1), "chr": same(1, 1), "char": as("chr", 1, 1),
		"format_string": as("printf", 1, -1), "printf": same(1, -1), "translate": same(3, 3), "levenshtein": same(2, 2),
		"uuid": tmpl(0, 0, "CAST(uuid() AS VARCHAR)"), "hash": same(1, -1),
		// dates and times
		"current_date": tmpl(0, 0, "current_date"), "current_timestamp": tmpl(0, 0, "current_timestamp"),
		"now": tmpl(0, 0, "current_timestamp"), "current_timezone": tmpl(0, 0, "'Etc/UTC'"),
		"date_format": {2, 2, dateFormat},
		"to_date":     {1, 2, parseDatetime("DATE")}, "to_timestamp": {1, 2, parseDatetime("TIMESTAMPTZ")},
		"date_add": tmpl(2, 2, "(CAST(%[1]s AS DATE) + CAST(%[2]s AS INTEGER))"),
		"date_sub": tmpl(2, 2, "(CAST(%[1]s AS DATE) - CAST(%[2]s AS INTEGER))"),
		"datediff": {2, 3, dateDiff}, "timestampdiff": {3, 3, dateDiff},
		"timestampadd": {3, 3, dateAdd}, "dateadd": {2, 3, dateAdd},
		"add_months": tmpl(2, 2, "CAST(CAST(%[1]s AS DATE) + to_months(CAST(%[2]s AS INTEGER)) AS DATE)"),
		"year":       datePart("year"), "month": datePart("month"), "day": datePart("day"), "dayofmonth": datePart("day"),
		"hour": datePart("hour"), "minute": datePart("minute"), "second": datePart("second"),
		"quarter": datePart("quarter"), "weekofyear": datePart("week"), "dayofyear": datePart("dayofyear"),
		"dayofweek":  tmpl(1, 1, "CAST(dayofweek(%[1]s) + 1 AS INTEGER)"),
		"date_trunc": tmpl(2, 2, "CAST(date_trunc(lower(%[1]s), CAST(%[2]s AS TIMESTAMPTZ)) AS TIMESTAMPTZ)"),
		"trunc":      tmpl(2, 2, "CAST(date_trunc(lower(%[2]s), CAST(%[1]s AS DATE)) AS DATE)"),
		"last_day":   tmpl(1, 1, "last_day(CAST(%[1]s AS DATE))"), "make_date": same(3, 3),
		"unix_timestamp": {0, 1, func(c fnCall) (string, error) {
			if len(c.args) == 0 {
				return "CAST(epoch(current_timestamp) AS BIGINT)", nil
			}
			return "CAST(epoch(CAST(" + c.args[0] + " AS TIMESTAMPTZ)) AS BIGINT)", nil
		}},
		"from_unixtime": tmpl(1, 1, "strftime(to_timestamp(%[1]s), '%%Y-%%m-%%d %%H:%%M:%%S')"),
		"date_part":     tmpl(2, 2, "CAST(date_part(lower(%[1]s), %[2]s) AS INTEGER)"),
		"extract":       same(1, 1), "position": same(1, 1),
		// arrays, maps and structs
		"array":          {0, -1, func(c fnCall) (string, error) { return "[" + strings.Join(c.args, ", ") + "]", nil }},
		"array_contains": as("list_contains", 2, 2), "size": tmpl(1, 1, sizeOf), "cardinality": tmpl(1, 1, sizeOf),
		"explode": as("unnest", 1, 1), "element_at": {2, 2, elementAt}, "array_size": tmpl(1, 1, sizeOf),
		"array_distinct": tmpl(1, 1, "list_filter(%[1]s, ("+lambdaVar+", i) -> list_position(%[1]s, "+lambdaVar+") = i)"),
		"array_sort":     tmpl(1, 1, "list_sort(%[1]s, 'ASC', 'NULLS LAST')"),
		"sort_array":     {1, 2, sortArray},
		"array_join":     as("array_to_string", 2, 2), "array_max": as("list_max", 1, 1), "array_min": as("list_min", 1, 1),
		"array_position": tmpl(2, 2, "CAST(coalesce(list_position(%[1]s, %[2]s), 0) AS BIGINT)"),
		"array_remove":   tmpl(2, 2, "list_filter(%[1]s, "+lambdaVar+" -> "+lambdaVar+" IS DISTINCT FROM (%[2]s))"),
		"arrays_overlap": as("list_has_any", 2, 2), "array_intersect": as("list_intersect", 2, 2),
		"array_union": tmpl(2, 2, "list_distinct(list_concat(%[1]s, %[2]s))"), "flatten": same(1, 1),
		"slice":    tmpl(3, 3, "list_slice(%[1]s, %[2]s, (%[2]s) + (%[3]s) - 1)"),
		"sequence": as("generate_series", 2, 3), "transform": as("list_transform", 2, 2),
		"filter": as("list_filter", 2, 2), "exists": tmpl(2, 2, "list_bool_or(list_transform(%[1]s, %[2]s))"),
		"map": {0, -1, mapOf}, "map_keys": same(1, 1), "map_values": same(1, 1), "map_from_arrays": as("map", 2, 2),
		"map_contains_key": as("map_contains", 2, 2), "map_entries": same(1, 1), "map_concat": same(2, -1),
		"named_struct": {2, -1, namedStruct}, "struct": {1, -1, structOf},
		// JSON
		"get_json_object":   as("json_extract_string", 2, 2),
		"to_json":           tmpl(1, 1, "CAST(to_json(%[1]s) AS VARCHAR)"),
		"json_array_length": tmpl(1, 1, "CAST(json_array_length(%[1]s) AS INTEGER)"),
		// casts by type name
		"string": castTo("VARCHAR"), "int": castTo("INTEGER"), "bigint": castTo("BIGINT"), "smallint": castTo("SMALLINT"),
		"tinyint": castTo("TINYINT"), "double": castTo("DOUBLE"), "float": castTo("FLOAT"), "boolean": castTo("BOOLEAN"),
		"date": castTo("DATE"), "timestamp": castTo("TIMESTAMPTZ"), "decimal": castTo("DECIMAL(10,0)"), "binary": castTo("BLOB"),
	}
	// The session's own names, answered from the request.
	functions["current_user"] = fnSpec{0, 0, func(c fnCall) (string, error) { return duckStringLiteral(c.r.s.user()), nil }}
	functions["session_user"], functions["user"] = functions["current_user"], functions["current_user"]
	functions["current_catalog"] = fnSpec{0, 0, func(c fnCall) (string, error) { return duckStringLiteral(c.r.s.catalog), nil }}
	functions["current_schema"] = fnSpec{0, 0, func(c fnCall) (string, error) { return duckStringLiteral(c.r.s.schema), nil }}
	functions["current_database"] = functions["current_schema"]
}

// knownUnsupported are Databricks functions the emulator does not emulate;
// they fail with EMULATOR_UNSUPPORTED rather than UNRESOLVED_ROUTINE, so a
// test author knows the SQL is fine.
var knownUnsupported = map[string]bool{
	"from_json": true, "schema_of_json": true, "json_tuple": true, "read_files": true, "ai_query": true,
	"http_request": true, "from_csv": true, "to_csv": true, "parse_url": true, "make_interval": true, "window": true,
	"inline": true, "stack": true, "posexplode": true, "explode_outer": true, "aggregate": true, "forall": true,
	"zip_with": true, "map_filter": true, "transform_keys": true, "transform_values": true, "reduce": true,
	"arrays_zip": true, "initcap": true, "to_number": true, "to_char": true, "format_number": true, "bround": true,
	"months_between": true,
	"typeof":         true, "str_to_map": true, "xxhash64": true, "crc32": true, "monotonically_increasing_id": true,
	"input_file_name": true, "secret": true, "is_member": true, "is_account_group_member": true, "try_cast": true,
}

// niladic are the functions Databricks also accepts without brackets.
var niladic = map[string]func(*session) string{
	"CURRENT_DATE":      func(*session) string { return "current_date" },
	"CURRENT_TIMESTAMP": func(*session) string { return "current_timestamp" },
	"CURRENT_USER":      func(s *session) string { return duckStringLiteral(s.e.opts.UserName) },
	"USER":              func(s *session) string { return duckStringLiteral(s.e.opts.UserName) },
	"SESSION_USER":      func(s *session) string { return duckStringLiteral(s.e.opts.UserName) },
}

// call writes the function call whose name is at toks[i].
func (r *renderer) call(w *writer, toks []token, i int) (int, error) {
	t := toks[i]
	name := t.text
	if t.kind == tkIdent {
		name = t.val
	}
	end := matchParen(toks, i+1)
	if end < 0 {
		return 0, syntaxErrorAt(r.s.src, len(r.s.src), "", "")
	}
	inner := toks[i+2 : end]
	lower := strings.ToLower(name)
	spec, ok := functions[lower]
	if !ok {
		if knownUnsupported[lower] {
			return 0, unsupported(unsupportedFunction, "the function "+lower+"()")
		}
		return 0, unresolvedRoutine(name)
	}
	// DISTINCT, FROM, IN, FOR: the argument list has keywords in it
	// (count(DISTINCT x), extract(YEAR FROM d), position('a' IN s)); DuckDB
	// reads those forms as written.
	for _, a := range inner {
		if a.is("DISTINCT") || a.is("FROM") || a.is("IN") || a.is("FOR") || a.is("BOTH") || a.is("LEADING") || a.is("TRAILING") {
			s, err := r.render(inner, modeExpr, false)
			if err != nil {
				return 0, err
			}
			if lower == "collect_set" || lower == "collect_list" || lower == "array_agg" {
				lower = "list"
			}
			w.put(lower+"("+s+")", t.space)
			return end, nil
		}
	}
	c := fnCall{r: r, name: name, raw: splitTop(inner)}
	if len(inner) == 1 && inner[0].op("*") && lower == "count" {
		c.raw = nil
		c.args = []string{"*"}
	} else {
		for _, a := range c.raw {
			if len(a) == 0 {
				return 0, syntaxErrorAt(r.s.src, toks[end].pos, ")", "")
			}
			s, err := r.render(a, modeExpr, false)
			if err != nil {
				return 0, err
			}
			c.args = append(c.args, s)
		}
	}
	n := len(c.args)
	if n < spec.min || spec.max >= 0 && n > spec.max {
		return 0, &sqlFailure{class: "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", sqlState: "42605", text: fmt.Sprintf("The `%s` requires %s parameters but the actual number is %d.", lower, argCount(spec), n)}
	}
	s, err := spec.render(c)
	if err != nil {
		return 0, err
	}
	w.put(s, t.space)
	return end, nil
}

func argCount(s fnSpec) string {
	switch {
	case s.max < 0:
		return fmt.Sprintf("at least %d", s.min)
	case s.min == s.max:
		return fmt.Sprint(s.min)
	}
	return fmt.Sprintf("[%d, %d]", s.min, s.max)
}
