package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// This file writes cell values as JSON for result_format = "json" (rows_json.go), with
// the typing rules the typed rows follow (rows.go, numbers.go, complex_values.go).

// appendJSONBool writes a BOOLEAN as Databricks writes it, as JSON.
func appendJSONBool(dst []byte, s string) ([]byte, error) {
	b, err := readBool(s)
	if err != nil {
		return dst, err
	}
	return strconv.AppendBool(dst, b), nil
}

// appendJSONNumber writes a number with every digit it has, as the typed rows read it
// (parseDecimal): plain decimal text with an optional exponent. JSON spells numbers more
// strictly than Databricks may ("+1", ".5", "7.", "007"): those are respelled, never
// rounded. NaN and infinities are null, reported as nonFinite.
func appendJSONNumber(dst []byte, s string) (out []byte, nonFinite bool, err error) {
	if isJSONNumber(s) {
		return append(dst, s...), false, nil
	}
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "nan", "infinity", "inf":
		return append(dst, "null"...), true, nil
	}
	if !isDecimalText(s) {
		return dst, false, fmt.Errorf("%q is not a number", s)
	}
	if s[0] == '-' {
		dst = append(dst, '-')
	}
	s = strings.TrimLeft(s, "+-")
	mantissa, exponent := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mantissa, exponent = s[:i], s[i:]
	}
	whole, fraction, _ := strings.Cut(mantissa, ".")
	if whole = strings.TrimLeft(whole, "0"); whole == "" {
		whole = "0"
	}
	dst = append(dst, whole...)
	if fraction != "" {
		dst = append(append(dst, '.'), fraction...)
	}
	return append(dst, exponent...), false, nil
}

// isJSONNumber reports whether s is a JSON number as Databricks nearly always writes one:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]{1,3})?, the exponent bounded as
// isDecimalText bounds it.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	switch n := digits(); {
	case n == 0, n > 1 && s[i-n] == '0':
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if n := digits(); n == 0 || n > 3 {
			return false
		}
	}
	return i == len(s)
}

// appendJSONString writes s as a JSON string: valid UTF-8 as it is, what JSON must
// escape escaped, invalid bytes as U+FFFD (as encoding/json does), and U+2028 and
// U+2029 escaped, which some JavaScript readers take for line ends.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(append(dst, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(append(dst, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(dst, s[start:]...), '"')
}

// appendComplexJSON writes an ARRAY, MAP or STRUCT cell, whose text is JSON, as the
// JSON of its SQL type t: the shapes and the typing rules of complexValue.
func appendComplexJSON(dst []byte, t *databricks.SQLType, text string) (out []byte, nonFinite bool, err error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var decoded any
	if err := dec.Decode(&decoded); err != nil {
		return dst, false, fmt.Errorf("the value is not valid JSON: %w", err)
	}
	if dec.More() {
		return dst, false, fmt.Errorf("the value has text after its JSON")
	}
	return appendJSONValue(dst, t, decoded)
}

// appendJSONValue writes a decoded JSON value of SQL type t, as jsonValue converts it.
func appendJSONValue(dst []byte, t *databricks.SQLType, v any) ([]byte, bool, error) {
	if v == nil {
		return append(dst, "null"...), false, nil
	}
	switch t.Kind() {
	case databricks.KindBool:
		switch x := v.(type) {
		case bool:
			return strconv.AppendBool(dst, x), false, nil
		case string:
			out, err := appendJSONBool(dst, x)
			return out, false, err
		}
	case databricks.KindNumber:
		switch x := v.(type) {
		case json.Number:
			return appendJSONNumber(dst, x.String())
		case string:
			return appendJSONNumber(dst, x)
		}
	case databricks.KindString:
		switch x := v.(type) {
		case string:
			return appendJSONString(dst, x), false, nil
		case json.Number:
			return appendJSONString(dst, x.String()), false, nil
		case bool:
			return appendJSONString(dst, fmt.Sprint(x)), false, nil
		default:
			text, err := json.Marshal(x)
			return appendJSONString(dst, string(text)), false, err
		}
	case databricks.KindNull:
		return append(dst, "null"...), false, nil
	case databricks.KindArray:
		items, ok := v.([]any)
		if !ok {
			break
		}
		return appendJSONItems(dst, '[', ']', len(items), func(dst []byte, i int) ([]byte, bool, error) {
			out, nf, err := appendJSONValue(dst, t.Elem, items[i])
			if err != nil {
				err = fmt.Errorf("element %d: %w", i, err)
			}
			return out, nf, err
		})
	case databricks.KindMap:
		entries, err := mapEntries(v)
		if err != nil {
			return dst, false, err
		}
		// Sorted, so that the same map is the same text on every read.
		keys := slices.Sorted(maps.Keys(entries))
		return appendJSONItems(dst, '{', '}', len(keys), func(dst []byte, i int) ([]byte, bool, error) {
			dst = append(appendJSONString(dst, keys[i]), ':')
			out, nf, err := appendJSONValue(dst, t.Value, entries[keys[i]])
			if err != nil {
				err = fmt.Errorf("key %q: %w", keys[i], err)
			}
			return out, nf, err
		})
	case databricks.KindStruct:
		fields, ok := v.(map[string]any)
		if !ok {
			break
		}
		return appendJSONItems(dst, '{', '}', len(t.Fields), func(dst []byte, i int) ([]byte, bool, error) {
			f := t.Fields[i]
			dst = append(appendJSONString(dst, f.Name), ':')
			out, nf, err := appendJSONValue(dst, f.Type, fields[f.Name])
			if err != nil {
				err = fmt.Errorf("field %q: %w", f.Name, err)
			}
			return out, nf, err
		})
	}
	return dst, false, fmt.Errorf("expected a %s value, found %s", t, describeJSON(v))
}

// appendJSONItems writes n items between the brackets begin and end, separated by commas.
func appendJSONItems(dst []byte, begin, end byte, n int, item func([]byte, int) ([]byte, bool, error)) ([]byte, bool, error) {
	dst = append(dst, begin)
	anyNonFinite := false
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		var nf bool
		var err error
		if dst, nf, err = item(dst, i); err != nil {
			return dst, false, err
		}
		anyNonFinite = anyNonFinite || nf
	}
	return append(dst, end), anyNonFinite, nil
}
