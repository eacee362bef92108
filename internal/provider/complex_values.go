package provider

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// ARRAY, MAP and STRUCT cells arrive as JSON text inside the cell's string. This file
// decodes that text into Terraform values of the column's type. Nested scalars may be
// JSON scalars or strings (Databricks writes big numbers as strings to keep their
// digits); both are accepted.

// complexValue decodes a complex cell's JSON text into a value of typ, the Terraform
// type of t. nonFinite reports a NaN or Infinity turned into null.
func complexValue(t *databricks.SQLType, typ tftypes.Type, text string) (v tftypes.Value, nonFinite bool, err error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var decoded any
	if err := dec.Decode(&decoded); err != nil {
		return tftypes.Value{}, false, fmt.Errorf("the value is not valid JSON: %w", err)
	}
	if dec.More() {
		return tftypes.Value{}, false, fmt.Errorf("the value has text after its JSON")
	}
	return jsonValue(t, typ, decoded)
}

// jsonValue converts a decoded JSON value of SQL type t into a value of typ. Each value
// is made with the type derived from t, so tftypes.NewValue never refuses it.
func jsonValue(t *databricks.SQLType, typ tftypes.Type, v any) (tftypes.Value, bool, error) {
	if v == nil {
		return tftypes.NewValue(typ, nil), false, nil
	}
	switch t.Kind() {
	case databricks.KindBool:
		switch x := v.(type) {
		case bool:
			return tftypes.NewValue(tftypes.Bool, x), false, nil
		case string:
			b, err := boolValue(x)
			return b, false, err
		}
	case databricks.KindNumber:
		switch x := v.(type) {
		case json.Number:
			return numberValue(nil, x.String())
		case string:
			return numberValue(nil, x)
		}
	case databricks.KindString:
		switch x := v.(type) {
		case string:
			return tftypes.NewValue(tftypes.String, x), false, nil
		case json.Number:
			return tftypes.NewValue(tftypes.String, x.String()), false, nil
		case bool:
			return tftypes.NewValue(tftypes.String, fmt.Sprint(x)), false, nil
		default:
			text, err := json.Marshal(x)
			return tftypes.NewValue(tftypes.String, string(text)), false, err
		}
	case databricks.KindNull:
		return tftypes.NewValue(typ, nil), false, nil
	case databricks.KindArray:
		items, isList := v.([]any)
		listType, ok := typ.(tftypes.List)
		if !isList || !ok {
			break
		}
		values := make([]tftypes.Value, len(items))
		anyNonFinite := false
		for i, item := range items {
			ev, nf, err := jsonValue(t.Elem, listType.ElementType, item)
			if err != nil {
				return tftypes.Value{}, false, fmt.Errorf("element %d: %w", i, err)
			}
			values[i], anyNonFinite = ev, anyNonFinite || nf
		}
		return tftypes.NewValue(typ, values), anyNonFinite, nil
	case databricks.KindMap:
		mapType, ok := typ.(tftypes.Map)
		if !ok {
			break
		}
		entries, err := mapEntries(v)
		if err != nil {
			return tftypes.Value{}, false, err
		}
		values := make(map[string]tftypes.Value, len(entries))
		anyNonFinite := false
		for key, item := range entries {
			ev, nf, err := jsonValue(t.Value, mapType.ElementType, item)
			if err != nil {
				return tftypes.Value{}, false, fmt.Errorf("key %q: %w", key, err)
			}
			values[key], anyNonFinite = ev, anyNonFinite || nf
		}
		return tftypes.NewValue(typ, values), anyNonFinite, nil
	case databricks.KindStruct:
		fields, isObject := v.(map[string]any)
		objectType, ok := typ.(tftypes.Object)
		if !isObject || !ok {
			break
		}
		values := make(map[string]tftypes.Value, len(t.Fields))
		anyNonFinite := false
		for _, f := range t.Fields {
			fv, nf, err := jsonValue(f.Type, objectType.AttributeTypes[f.Name], fields[f.Name])
			if err != nil {
				return tftypes.Value{}, false, fmt.Errorf("field %q: %w", f.Name, err)
			}
			values[f.Name], anyNonFinite = fv, anyNonFinite || nf
		}
		return tftypes.NewValue(typ, values), anyNonFinite, nil
	}
	return tftypes.Value{}, false, fmt.Errorf("expected a %s value, found %s", t, describeJSON(v))
}

// mapEntries reads a MAP value written as a JSON object, or as a list of [key, value]
// pairs or {"key":..,"value":..} objects, the shapes maps with non-string keys take.
func mapEntries(v any) (map[string]any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case []any:
		entries := make(map[string]any, len(x))
		for _, item := range x {
			var key, value any
			switch pair := item.(type) {
			case []any:
				if len(pair) != 2 {
					return nil, fmt.Errorf("a map entry must be a [key, value] pair")
				}
				key, value = pair[0], pair[1]
			case map[string]any:
				key, value = pair["key"], pair["value"]
			default:
				return nil, fmt.Errorf("expected a map entry, found %s", describeJSON(item))
			}
			if key == nil {
				return nil, fmt.Errorf("a map key is null")
			}
			entries[scalarText(key)] = value
		}
		return entries, nil
	}
	return nil, fmt.Errorf("expected a map, found %s", describeJSON(v))
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func describeJSON(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}
