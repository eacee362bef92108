package databricks

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// InputError says why a configuration value was refused and how to write it instead.
// Messages never repeat a token, nor the user info of a URL, where a pasted credential
// would sit.
type InputError struct {
	Problem string // what is wrong, one sentence
	Fix     string // what to write instead; may be empty
}

func (e *InputError) Error() string {
	if e.Fix == "" {
		return e.Problem
	}
	return e.Problem + " " + e.Fix
}

// ValidateToken checks the shape of a personal access token without contacting the
// workspace.
func ValidateToken(token string) error {
	if token == "" {
		return &InputError{Problem: "The access token is empty.", Fix: "Generate one under User Settings > Developer > Access tokens in the workspace."}
	}
	if strings.TrimSpace(token) != token {
		return &InputError{Problem: "The access token has leading or trailing white space.", Fix: "A token read with file() keeps its final newline: wrap it in trimspace()."}
	}
	if strings.IndexFunc(token, unicode.IsSpace) >= 0 {
		return &InputError{Problem: "The access token contains white space.", Fix: "Copy it again from the workspace; a token is one word."}
	}
	return nil
}

// warehouseIDPattern is the shape of a warehouse id: hexadecimal in practice; letters
// and digits are accepted so that ids of other shapes (emulators, future formats) pass.
var warehouseIDPattern = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// warehouseIDInPath finds the id inside a pasted HTTP path such as /sql/1.0/warehouses/<id>.
var warehouseIDInPath = regexp.MustCompile(`(?i)/(?:warehouses|endpoints)/([A-Za-z0-9]+)`)

// ValidateWarehouseID checks the shape of a warehouse id. A pasted HTTP path or URL is
// answered with the id found inside it.
func ValidateWarehouseID(id string) error {
	if id == "" {
		return &InputError{Problem: "The warehouse id is empty."}
	}
	if warehouseIDPattern.MatchString(id) {
		return nil
	}
	if m := warehouseIDInPath.FindStringSubmatch(id); m != nil {
		return &InputError{
			Problem: "The warehouse id looks like an HTTP path or URL.",
			Fix:     "Use only the id at its end: \"" + m[1] + "\".",
		}
	}
	if strings.TrimSpace(id) != id {
		return &InputError{Problem: "The warehouse id has leading or trailing white space.", Fix: "Remove it."}
	}
	return &InputError{
		Problem: "The warehouse id may contain only letters and digits.",
		Fix:     "Copy it from the warehouse's Connection details tab: it is the last part of the HTTP path.",
	}
}

var parameterNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidateParameterName checks the name of a :name parameter marker.
func ValidateParameterName(name string) error {
	if !parameterNamePattern.MatchString(name) {
		return &InputError{
			Problem: "A parameter name must start with a letter or underscore and contain only letters, digits and underscores.",
			Fix:     "Use it in the statement as :name.",
		}
	}
	return nil
}

// scalarParameterTypes are the SQL types a statement parameter may declare.
var scalarParameterTypes = map[string]bool{
	"STRING": true, "CHAR": true, "VARCHAR": true, "BINARY": true, "BOOLEAN": true,
	"DATE": true, "TIMESTAMP": true, "TIMESTAMP_NTZ": true, "TIMESTAMP_LTZ": true,
	"TINYINT": true, "BYTE": true, "SMALLINT": true, "SHORT": true, "INT": true, "INTEGER": true,
	"BIGINT": true, "LONG": true, "FLOAT": true, "REAL": true, "DOUBLE": true,
	"DECIMAL": true, "DEC": true, "NUMERIC": true, "VOID": true,
}

// ValidateParameterType checks a parameter's declared type: a scalar Databricks SQL type
// (ARRAY, MAP and STRUCT parameters are not supported by the API).
func ValidateParameterType(typeText string) error {
	t, err := ParseType(typeText)
	if err != nil {
		return &InputError{Problem: "The parameter type cannot be read: " + err.Error() + "."}
	}
	switch {
	case t.Kind() == KindArray || t.Kind() == KindMap || t.Kind() == KindStruct:
		return &InputError{
			Problem: t.Name + " parameters are not supported by the Databricks Statement Execution API.",
			Fix:     "Pass the value as a STRING parameter and build it in SQL, e.g. from_json(:value, 'ARRAY<INT>').",
		}
	case strings.HasPrefix(t.Name, "INTERVAL"):
		return nil
	case !scalarParameterTypes[t.Name]:
		return &InputError{
			Problem: "Unknown parameter type " + quoteShort(typeText) + ".",
			Fix:     "Use a Databricks SQL type such as STRING, INT, BIGINT, DOUBLE, DECIMAL(10,2), BOOLEAN, DATE or TIMESTAMP.",
		}
	}
	if len(t.Params) > 0 && !isDecimal(t.Name) && t.Name != "CHAR" && t.Name != "VARCHAR" {
		return &InputError{Problem: t.Name + " takes no parameters.", Fix: "Write it as " + t.Name + "."}
	}
	if isDecimal(t.Name) {
		return validateDecimalParams(t.Params)
	}
	return nil
}

func isDecimal(name string) bool { return name == "DECIMAL" || name == "DEC" || name == "NUMERIC" }

func validateDecimalParams(params []string) error {
	if len(params) > 2 {
		return &InputError{Problem: "DECIMAL takes at most a precision and a scale.", Fix: "Write it as DECIMAL(10,2)."}
	}
	var ps []int
	for _, s := range params {
		n, err := strconv.Atoi(s)
		if err != nil {
			return &InputError{Problem: "DECIMAL's precision and scale must be whole numbers.", Fix: "Write it as DECIMAL(10,2)."}
		}
		ps = append(ps, n)
	}
	if len(ps) > 0 && (ps[0] < 1 || ps[0] > 38) {
		return &InputError{Problem: "DECIMAL's precision must be between 1 and 38."}
	}
	if len(ps) == 2 && (ps[1] < 0 || ps[1] > ps[0]) {
		return &InputError{Problem: "DECIMAL's scale must be between 0 and its precision."}
	}
	return nil
}
