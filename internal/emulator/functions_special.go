package emulator

import (
	"fmt"
	"strings"
)

// The Databricks functions that need more than a new name in DuckDB: their
// arguments are read (a pattern, a field name, a map key) or rearranged.

// literalArg is the value of an argument written as a string literal or a
// STRING parameter, for the functions whose argument is a pattern or a name.
func (c fnCall) literalArg(i int) (string, bool) {
	a := c.raw[i]
	if len(a) != 1 {
		return "", false
	}
	switch a[0].kind {
	case tkString:
		return a[0].val, true
	case tkMarker:
		if p, ok := c.r.s.params[a[0].val]; ok && p.value != nil && p.cast == "VARCHAR" {
			return *p.value, true
		}
	}
	return "", false
}

func dateFormat(c fnCall) (string, error) {
	p, ok := c.literalArg(1)
	if !ok {
		return "", unsupported(unsupportedFunction, "date_format with a pattern that is not a literal")
	}
	duck, err := sparkDatetimePattern(p)
	if err != nil {
		return "", err
	}
	return "strftime(" + c.args[0] + ", " + duckStringLiteral(duck) + ")", nil
}

// parseDatetime is to_date and to_timestamp: a cast, or with a pattern,
// strptime.
func parseDatetime(typ string) fn {
	return func(c fnCall) (string, error) {
		if len(c.args) == 1 {
			return "CAST(" + c.args[0] + " AS " + typ + ")", nil
		}
		p, ok := c.literalArg(1)
		if !ok {
			return "", unsupported(unsupportedFunction, "to_date and to_timestamp with a pattern that is not a literal")
		}
		duck, err := sparkDatetimePattern(p)
		if err != nil {
			return "", err
		}
		return "CAST(try_strptime(CAST(" + c.args[0] + " AS VARCHAR), " + duckStringLiteral(duck) + ") AS " + typ + ")", nil
	}
}

func datePart(part string) fnSpec {
	return tmpl(1, 1, "CAST(date_part('"+part+"', %[1]s) AS INTEGER)")
}

// regexpReplace replaces every match, as Databricks does, and reads $1 in
// the replacement as DuckDB's \1.
func regexpReplace(c fnCall) (string, error) {
	repl := c.args[2]
	if v, ok := c.literalArg(2); ok {
		var b strings.Builder
		for i := 0; i < len(v); i++ {
			switch {
			case v[i] == '\\' && i+1 < len(v):
				b.WriteString(v[i : i+2])
				i++
			case v[i] == '$' && i+1 < len(v) && v[i+1] >= '0' && v[i+1] <= '9':
				b.WriteByte('\\')
			default:
				b.WriteByte(v[i])
			}
		}
		repl = duckStringLiteral(b.String())
	}
	return "regexp_replace(" + c.args[0] + ", " + c.args[1] + ", " + repl + ", 'g')", nil
}

func sha2(c fnCall) (string, error) {
	if bits, _ := c.literalArg(1); bits != "256" && (len(c.raw[1]) != 1 || c.raw[1][0].text != "256") {
		return "", unsupported(unsupportedFunction, "sha2 with a bit length other than 256")
	}
	return "sha256(" + c.args[0] + ")", nil
}

// elementAt is element_at: 1-based for arrays, a key lookup for maps.
// Which one is read from the key: a string literal looks a map up.
func elementAt(c fnCall) (string, error) {
	if _, ok := c.literalArg(1); ok {
		return "(" + c.args[0] + ")[" + c.args[1] + "]", nil
	}
	return "list_extract(" + c.args[0] + ", " + c.args[1] + ")", nil
}

// mapOf is map(k1, v1, k2, v2, ...).
func mapOf(c fnCall) (string, error) {
	if len(c.args)%2 != 0 {
		return "", &sqlFailure{class: "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", sqlState: "42605", text: fmt.Sprintf("The `map` requires an even number of parameters but the actual number is %d.", len(c.args))}
	}
	var keys, values []string
	for i := 0; i < len(c.args); i += 2 {
		keys, values = append(keys, c.args[i]), append(values, c.args[i+1])
	}
	return "map([" + strings.Join(keys, ", ") + "], [" + strings.Join(values, ", ") + "])", nil
}

// namedStruct is named_struct('a', x, 'b', y): field names are literals.
func namedStruct(c fnCall) (string, error) {
	if len(c.args)%2 != 0 {
		return "", &sqlFailure{class: "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", sqlState: "42605", text: fmt.Sprintf("The `named_struct` requires an even number of parameters but the actual number is %d.", len(c.args))}
	}
	var fields []string
	for i := 0; i < len(c.args); i += 2 {
		name, ok := c.literalArg(i)
		if !ok {
			return "", &sqlFailure{class: "DATATYPE_MISMATCH.CREATE_NAMED_STRUCT_WITHOUT_FOLDABLE_STRING", sqlState: "42K09", text: "Cannot resolve named_struct: only foldable STRING expressions are allowed to appear at odd position."}
		}
		fields = append(fields, duckIdentifier(name)+" := "+c.args[i+1])
	}
	return "struct_pack(" + strings.Join(fields, ", ") + ")", nil
}

// structOf is struct(x, y AS b): a field is named by its alias, by the
// column it reads, or colN.
func structOf(c fnCall) (string, error) {
	fields := make([]string, len(c.args))
	for i, raw := range c.raw {
		name := fmt.Sprintf("col%d", i+1)
		arg := c.args[i]
		switch n := len(raw); {
		case n >= 3 && raw[n-2].is("AS"):
			name = raw[n-1].text
			if raw[n-1].kind == tkIdent {
				name = raw[n-1].val
			}
			s, err := c.r.render(raw[:n-2], modeExpr, false)
			if err != nil {
				return "", err
			}
			arg = s
		case isColumnReference(raw) && !raw[n-1].op("*"):
			name = raw[n-1].text
			if raw[n-1].kind == tkIdent {
				name = raw[n-1].val
			}
		}
		fields[i] = duckIdentifier(name) + " := " + arg
	}
	return "struct_pack(" + strings.Join(fields, ", ") + ")", nil
}

// withDefault is a function whose last argument Databricks defaults
// differently from DuckDB: regexp_extract's group is 1, not 0.
func withDefault(duck string, n int, def string) fnSpec {
	return fnSpec{n, n + 1, func(c fnCall) (string, error) {
		args := c.args
		if len(args) == n {
			args = append(args, def)
		}
		return duck + "(" + strings.Join(args, ", ") + ")", nil
	}}
}

// sortArray is sort_array(a[, ascending]): nulls first going up, last
// going down, as in Databricks.
func sortArray(c fnCall) (string, error) {
	if len(c.args) == 1 {
		return "list_sort(" + c.args[0] + ", 'ASC', 'NULLS FIRST')", nil
	}
	return "CASE WHEN " + c.args[1] + " THEN list_sort(" + c.args[0] + ", 'ASC', 'NULLS FIRST') ELSE list_sort(" + c.args[0] + ", 'DESC', 'NULLS LAST') END", nil
}

// dateUnits are the units of timestampadd, timestampdiff and their
// three-argument dateadd and datediff forms, as DuckDB names them.
var dateUnits = map[string]string{
	"MICROSECOND": "microsecond", "MILLISECOND": "millisecond", "SECOND": "second", "MINUTE": "minute",
	"HOUR": "hour", "DAY": "day", "DAYOFYEAR": "day", "WEEK": "week", "MONTH": "month", "QUARTER": "quarter", "YEAR": "year",
}

// unit reads the bare unit word of timestampadd(SECOND, ...).
func (c fnCall) unit() (string, error) {
	if len(c.raw[0]) == 1 {
		if u, ok := dateUnits[strings.ToUpper(c.raw[0][0].text)]; ok {
			return u, nil
		}
	}
	return "", &sqlFailure{class: "INVALID_PARAMETER_VALUE.DATETIME_UNIT", sqlState: "22023", text: fmt.Sprintf("The value of parameter(s) `unit` in `%s` is invalid: expects one of the units without quotes YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFYEAR, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND.", strings.ToLower(c.name))}
}

// dateDiff is datediff(end, start) in days, and timestampdiff(unit, start,
// end) with its datediff(unit, start, end) form.
func dateDiff(c fnCall) (string, error) {
	if len(c.args) == 2 {
		return "CAST(date_diff('day', CAST(" + c.args[1] + " AS DATE), CAST(" + c.args[0] + " AS DATE)) AS INTEGER)", nil
	}
	u, err := c.unit()
	if err != nil {
		return "", err
	}
	return "date_diff('" + u + "', CAST(" + c.args[1] + " AS TIMESTAMPTZ), CAST(" + c.args[2] + " AS TIMESTAMPTZ))", nil
}

// dateAdd is timestampadd(unit, n, ts) and dateadd in both its forms:
// (unit, n, ts) and (date, days).
func dateAdd(c fnCall) (string, error) {
	if len(c.args) == 2 {
		return "(CAST(" + c.args[0] + " AS DATE) + CAST(" + c.args[1] + " AS INTEGER))", nil
	}
	u, err := c.unit()
	if err != nil {
		return "", err
	}
	return "(CAST(" + c.args[2] + " AS TIMESTAMPTZ) + (" + c.args[1] + ") * INTERVAL '1 " + u + "')", nil
}
