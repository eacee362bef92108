package emulator

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// parameter is one named statement parameter, ready to bind.
type parameter struct {
	name  string
	value *string // nil binds SQL NULL
	cast  string  // DuckDB type the marker is cast to; "" for VOID
}

// decimalParamType matches DECIMAL, DECIMAL(p) and DECIMAL(p,s) with any
// spacing Databricks tolerates.
var decimalParamType = regexp.MustCompile(`(?i)^(?:DECIMAL|DEC|NUMERIC)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$`)

// paramCast maps a Databricks parameter type to the DuckDB type its string
// value is cast to. The error text is what the API answers with a 400.
func paramCast(typ string) (string, error) {
	t := strings.ToUpper(strings.TrimSpace(typ))
	switch t {
	case "", "STRING":
		return "VARCHAR", nil
	case "INT", "INTEGER":
		return "INTEGER", nil
	case "BIGINT", "LONG":
		return "BIGINT", nil
	case "SMALLINT", "SHORT":
		return "SMALLINT", nil
	case "TINYINT", "BYTE":
		return "TINYINT", nil
	case "DOUBLE":
		return "DOUBLE", nil
	case "FLOAT", "REAL":
		return "FLOAT", nil
	case "BOOLEAN":
		return "BOOLEAN", nil
	case "DATE":
		return "DATE", nil
	case "TIMESTAMP", "TIMESTAMP_LTZ":
		// TIMESTAMPTZ so that an explicit offset ("...+02:00") is honoured;
		// the session time zone is UTC, like a Databricks SQL warehouse.
		return "TIMESTAMPTZ", nil
	case "TIMESTAMP_NTZ":
		return "TIMESTAMP", nil
	case "BINARY":
		return "BLOB", nil
	case "VOID":
		return "", nil
	}
	if m := decimalParamType.FindStringSubmatch(t); m != nil {
		p, s := 10, 0 // Databricks' DECIMAL without arguments is DECIMAL(10,0)
		if m[1] != "" {
			p, _ = strconv.Atoi(m[1])
		}
		if m[2] != "" {
			s, _ = strconv.Atoi(m[2])
		}
		if p < 1 || p > 38 || s > p {
			return "", fmt.Errorf("invalid parameter type %q: DECIMAL precision must be between 1 and 38 and the scale at most the precision", typ)
		}
		return fmt.Sprintf("DECIMAL(%d,%d)", p, s), nil
	}
	for _, kind := range []string{"ARRAY", "MAP", "STRUCT"} {
		if strings.HasPrefix(t, kind) {
			return "", fmt.Errorf("parameter type %q is not supported: ARRAY, MAP and STRUCT parameters cannot be bound; pass the value as a STRING and build it in SQL", typ)
		}
	}
	return "", fmt.Errorf("unknown parameter type %q", typ)
}

// isParamName reports whether name can be written as a :name marker.
func isParamName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		digit := i > 0 && c >= '0' && c <= '9'
		if !letter && !digit {
			return false
		}
	}
	return true
}
