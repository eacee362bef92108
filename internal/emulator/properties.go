package emulator

import (
	"database/sql"
	"encoding/json"
	"sort"
	"strings"
)

// Properties (TBLPROPERTIES, DBPROPERTIES, OPTIONS) are stored in the
// metastore as a JSON object and shown as Databricks shows them.

// propsJSON stores properties as a JSON object with sorted keys.
func propsJSON(props map[string]string) any {
	if len(props) == 0 {
		return nil
	}
	b, _ := json.Marshal(props) // a map of strings always encodes
	return string(b)
}

// propsMap reads stored properties.
func propsMap(stored sql.NullString) map[string]string {
	props := map[string]string{}
	if stored.Valid {
		_ = json.Unmarshal([]byte(stored.String), &props) // written by propsJSON
	}
	return props
}

// propsList reads stored properties as key, value pairs in key order.
func propsList(stored sql.NullString) [][2]string {
	props := propsMap(stored)
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][2]string, len(keys))
	for i, k := range keys {
		out[i] = [2]string{k, props[k]}
	}
	return out
}

// propsText spells properties the way DESCRIBE does: [k1=v1,k2=v2].
func propsText(stored sql.NullString) string {
	var parts []string
	for _, kv := range propsList(stored) {
		parts = append(parts, kv[0]+"="+kv[1])
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// mergeProps adds props to the stored ones (ALTER ... SET TBLPROPERTIES).
func mergeProps(stored sql.NullString, add map[string]string, remove []string) any {
	props := propsMap(stored)
	for k, v := range add {
		props[k] = v
	}
	for _, k := range remove {
		delete(props, k)
	}
	return propsJSON(props)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// deltaProperties are what Databricks shows on every new Delta table.
func deltaProperties(props map[string]string) map[string]string {
	out := map[string]string{"delta.minReaderVersion": "1", "delta.minWriterVersion": "2"}
	for k, v := range props {
		out[k] = v
	}
	return out
}
