package databricks

import "testing"

func TestParseType(t *testing.T) {
	t.Parallel()
	cases := map[string]string{ // type_text -> canonical spelling
		"INT":                                   "INT",
		"bigint":                                "BIGINT",
		"DECIMAL(10,2)":                         "DECIMAL(10,2)",
		"decimal( 38 , 10 )":                    "DECIMAL(38,10)",
		"ARRAY<INT>":                            "ARRAY<INT>",
		"array<array<string>>":                  "ARRAY<ARRAY<STRING>>",
		"MAP<STRING, INT>":                      "MAP<STRING, INT>",
		"map<string,decimal(10,2)>":             "MAP<STRING, DECIMAL(10,2)>",
		"STRUCT<a: INT, b: STRING>":             "STRUCT<a: INT, b: STRING>",
		"struct<a:int,b:string>":                "STRUCT<a: INT, b: STRING>",
		"STRUCT<`my field`: INT, `a``b`: DATE>": "STRUCT<`my field`: INT, `a``b`: DATE>",
		"STRUCT<a INT NOT NULL COMMENT 'the a', b: ARRAY<STRUCT<c: DOUBLE>>>": "STRUCT<a: INT, b: ARRAY<STRUCT<c: DOUBLE>>>",
		"INTERVAL DAY TO SECOND":                              "INTERVAL DAY TO SECOND",
		"struct<i: interval year to month, t: timestamp_ntz>": "STRUCT<i: INTERVAL YEAR TO MONTH, t: TIMESTAMP_NTZ>",
		"STRUCT<>": "STRUCT<>",
	}
	for in, want := range cases {
		got, err := ParseType(in)
		if err != nil {
			t.Errorf("ParseType(%q): %v", in, err)
			continue
		}
		if got.String() != want {
			t.Errorf("ParseType(%q) = %q, want %q", in, got.String(), want)
		}
	}
}

func TestParseTypeKinds(t *testing.T) {
	t.Parallel()
	cases := map[string]Kind{
		"BOOLEAN": KindBool, "TINYINT": KindNumber, "SMALLINT": KindNumber, "INT": KindNumber, "BIGINT": KindNumber,
		"FLOAT": KindNumber, "DOUBLE": KindNumber, "DECIMAL(38,0)": KindNumber, "STRING": KindString, "DATE": KindString,
		"TIMESTAMP": KindString, "BINARY": KindString, "INTERVAL DAY TO SECOND": KindString, "VOID": KindNull,
		"ARRAY<INT>": KindArray, "MAP<STRING,INT>": KindMap, "STRUCT<a:INT>": KindStruct, "GEOGRAPHY(4326)": KindString,
	}
	for in, want := range cases {
		got, err := ParseType(in)
		if err != nil {
			t.Fatalf("ParseType(%q): %v", in, err)
		}
		if got.Kind() != want {
			t.Errorf("ParseType(%q).Kind() = %v, want %v", in, got.Kind(), want)
		}
	}
}

func TestParseTypeRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "ARRAY", "ARRAY<", "ARRAY<INT", "MAP<STRING>", "STRUCT<a: >", "STRUCT<a INT NOT>", "<INT>", "INT>", "DECIMAL(10,", "STRUCT<`a: INT>"} {
		if got, err := ParseType(in); err == nil {
			t.Errorf("ParseType(%q) = %v, want an error", in, got)
		}
	}
}

func FuzzParseType(f *testing.F) {
	for _, seed := range []string{"INT", "ARRAY<STRUCT<a: INT, `b c`: MAP<STRING, DECIMAL(10,2)>>>", "STRUCT<a INT NOT NULL COMMENT 'x'>", "INTERVAL DAY TO SECOND", "<<<", "`"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		typ, err := ParseType(in)
		if err != nil {
			return
		}
		// What parses has a canonical spelling that parses to the same thing.
		again, err := ParseType(typ.String())
		if err != nil || again.String() != typ.String() {
			t.Fatalf("ParseType(%q) = %q, which parses to %v (%v)", in, typ.String(), again, err)
		}
	})
}
