package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// formatCell turns one DuckDB value into a JSON_ARRAY cell: a string, or nil
// for SQL NULL. Numbers never pass through float64 unless they are floating
// point already, so BIGINT and DECIMAL(38,x) keep every digit.
func formatCell(t *duckType, v any) *string {
	if v == nil {
		return nil
	}
	var s string
	switch t.kind {
	case "LIST", "ARRAY", "STRUCT", "MAP":
		var buf bytes.Buffer
		appendNestedJSON(&buf, t, v)
		s = buf.String()
	default:
		s = scalarText(t, v)
	}
	return &s
}

// scalarText is the text of a non-nested value, the same inside and outside
// nested JSON (where strings get quoted around it).
func scalarText(t *duckType, v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case *big.Int:
		return x.String()
	case duckdb.Decimal:
		return decimalText(x)
	case float32:
		return floatText(float64(x), 32)
	case float64:
		return floatText(x, 64)
	case string:
		return x
	case []byte:
		if t.kind == "UUID" && len(x) == 16 {
			return uuidText(x)
		}
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		return timeText(t, x)
	case duckdb.Interval:
		return intervalText(x)
	case duckdb.Union:
		for _, m := range t.fields {
			if m.name == x.Tag {
				if c := formatCell(m.typ, x.Value); c != nil {
					return *c
				}
				return "null"
			}
		}
		return fmt.Sprint(x.Value)
	default:
		return fmt.Sprint(x)
	}
}

// decimalText prints a decimal with exactly its scale of fractional digits, as
// Databricks does ("1.50" for 1.5 in DECIMAL(10,2)).
func decimalText(d duckdb.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	digits := new(big.Int).Abs(d.Value).String()
	sign := ""
	if d.Value.Sign() < 0 {
		sign = "-"
	}
	scale := int(d.Scale)
	if scale == 0 {
		return sign + digits
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
}

// floatText prints a floating-point value with the fewest digits that read
// back to the same value, spelled the way Databricks (Java) spells doubles:
// "2.0", "0.1", "1.0E300", "NaN", "Infinity".
func floatText(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	abs := math.Abs(f)
	if f == 0 || abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, bits)
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	exp = strings.TrimPrefix(exp, "+")
	if strings.HasPrefix(exp, "-") {
		exp = "-" + strings.TrimLeft(exp[1:], "0")
	} else {
		exp = strings.TrimLeft(exp, "0")
	}
	return mant + "E" + exp
}

func uuidText(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// timeText prints dates as "2016-01-01" and timestamps in UTC ISO-8601 with
// milliseconds ("2016-01-01T08:15:00.000Z"; TIMESTAMP_NTZ without the Z),
// widening to microseconds only when the value has them, so no precision is
// lost.
func timeText(t *duckType, ts time.Time) string {
	switch t.kind {
	case "DATE":
		return ts.Format("2006-01-02")
	case "TIME":
		return ts.Format("15:04:05.999999")
	case "TIMETZ", "TIME WITH TIME ZONE":
		return ts.Format("15:04:05.999999Z07:00")
	}
	zone := "Z"
	if t.kind != "TIMESTAMPTZ" && t.kind != "TIMESTAMP WITH TIME ZONE" {
		zone = "" // TIMESTAMP_NTZ: a wall-clock time, no instant
	}
	ts = ts.UTC()
	if ts.Nanosecond()%int(time.Millisecond) != 0 {
		return ts.Format("2006-01-02T15:04:05.000000") + zone
	}
	return ts.Format("2006-01-02T15:04:05.000") + zone
}

// intervalText prints a day-time interval the way Spark's Hive-style result
// text does ("1 02:03:04.000000000"); an interval with months has no
// day-time spelling, so it gets DuckDB's own words ("1 year 2 months ...").
func intervalText(iv duckdb.Interval) string {
	if iv.Months != 0 {
		return duckIntervalWords(iv)
	}
	total := int64(iv.Days)*24*3600*1_000_000 + iv.Micros
	sign := ""
	if total < 0 {
		sign = "-"
		total = -total
	}
	days := total / (24 * 3600 * 1_000_000)
	rest := total % (24 * 3600 * 1_000_000)
	h := rest / 3_600_000_000
	m := rest / 60_000_000 % 60
	s := rest / 1_000_000 % 60
	us := rest % 1_000_000
	return fmt.Sprintf("%s%d %02d:%02d:%02d.%06d000", sign, days, h, m, s, us)
}

func duckIntervalWords(iv duckdb.Interval) string {
	var parts []string
	plural := func(n int64, unit string) {
		if n == 0 {
			return
		}
		if n == 1 || n == -1 {
			parts = append(parts, fmt.Sprintf("%d %s", n, unit))
			return
		}
		parts = append(parts, fmt.Sprintf("%d %ss", n, unit))
	}
	plural(int64(iv.Months/12), "year")
	plural(int64(iv.Months%12), "month")
	plural(int64(iv.Days), "day")
	if iv.Micros != 0 {
		us := iv.Micros
		sign := ""
		if us < 0 {
			sign, us = "-", -us
		}
		clock := fmt.Sprintf("%s%02d:%02d:%02d", sign, us/3_600_000_000, us/60_000_000%60, us/1_000_000%60)
		if frac := us % 1_000_000; frac != 0 {
			clock += fmt.Sprintf(".%06d", frac)
		}
		parts = append(parts, clock)
	}
	if len(parts) == 0 {
		return "00:00:00"
	}
	return strings.Join(parts, " ")
}

// appendNestedJSON writes a value as compact JSON the way Databricks renders
// ARRAY, MAP and STRUCT cells: numbers and booleans bare, everything else as a
// JSON string, MAP as an object keyed by the key's text, STRUCT fields in
// declaration order.
func appendNestedJSON(buf *bytes.Buffer, t *duckType, v any) {
	if v == nil {
		buf.WriteString("null")
		return
	}
	switch t.kind {
	case "LIST", "ARRAY":
		items, ok := v.([]any)
		if !ok {
			appendJSONString(buf, fmt.Sprint(v))
			return
		}
		buf.WriteByte('[')
		for i, item := range items {
			if i > 0 {
				buf.WriteByte(',')
			}
			appendNestedJSON(buf, t.elem, item)
		}
		buf.WriteByte(']')
	case "STRUCT":
		fields, ok := v.(map[string]any)
		if !ok {
			appendJSONString(buf, fmt.Sprint(v))
			return
		}
		buf.WriteByte('{')
		for i, f := range t.fields {
			if i > 0 {
				buf.WriteByte(',')
			}
			appendJSONString(buf, f.name)
			buf.WriteByte(':')
			appendNestedJSON(buf, f.typ, fields[f.name])
		}
		buf.WriteByte('}')
	case "MAP":
		m, ok := v.(duckdb.OrderedMap)
		if !ok {
			appendJSONString(buf, fmt.Sprint(v))
			return
		}
		keys, values := m.Keys(), m.Values()
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			key := "null"
			if c := formatCell(t.key, k); c != nil {
				key = *c
			}
			appendJSONString(buf, key)
			buf.WriteByte(':')
			appendNestedJSON(buf, t.value, values[i])
		}
		buf.WriteByte('}')
	case "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT", "UHUGEINT", "DECIMAL":
		buf.WriteString(scalarText(t, v))
	case "FLOAT", "DOUBLE":
		s := scalarText(t, v)
		if s == "NaN" || strings.HasSuffix(s, "Infinity") {
			appendJSONString(buf, s) // JSON has no literal for these
			return
		}
		buf.WriteString(s)
	default:
		appendJSONString(buf, scalarText(t, v))
	}
}

// appendJSONString writes s as a JSON string without HTML escaping, so "<" in
// data reads as "<" and not "\u003c".
func appendJSONString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	buf.Truncate(buf.Len() - 1)
}
