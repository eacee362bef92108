package databricks

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestRowUnmarshal(t *testing.T) {
	t.Parallel()
	cases := map[string]Row{
		`[]`:                           {},
		`["1","abc",null]`:             {{"1", true}, {"abc", true}, {}},
		` [ "a" , null , "" ] `:        {{"a", true}, {}, {"", true}},
		`["quote \" and \\ slash"]`:    {{`quote " and \ slash`, true}},
		`["\u00e9t\u00e9","日本"]`:       {{"été", true}, {"日本", true}},
		`["[1,2,3]","{\"a\":1}"]`:      {{"[1,2,3]", true}, {`{"a":1}`, true}},
		`[12, true, 1.5e3]`:            {{"12", true}, {"true", true}, {"1.5e3", true}},
		`[[1,"x"], {"k": [null]}]`:     {{`[1,"x"]`, true}, {`{"k": [null]}`, true}},
		`["\ud83d\ude00 emoji", null]`: {{"😀 emoji", true}, {}},
	}
	for in, want := range cases {
		var got Row
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Errorf("decoding %s: %v", in, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("decoding %s = %#v, want %#v", in, got, want)
		}
	}
}

func TestRowUnmarshalRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{}`, `["a"`, `["a",]`, `["a" "b"]`, `["unterminated]`, "[\"ctl\x01\"]", `[nul]`, `["a"]]`} {
		var got Row
		if err := json.Unmarshal([]byte(in), &got); err == nil {
			t.Errorf("decoding %q = %#v, want an error", in, got)
		}
	}
}

// The hand-written decoder must agree with encoding/json on every row that encoding/json
// reads as strings and nulls.
func FuzzRowUnmarshal(f *testing.F) {
	for _, seed := range []string{`["1",null,"x"]`, `["\u0041\n"]`, `[1,[2],{"a":null}]`, `[`, `["\ud800"]`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got Row
		err := json.Unmarshal(data, &got)
		var reference []*string
		if json.Unmarshal(data, &reference) != nil {
			return // not an array of strings and nulls: only "no panic" is asked
		}
		if err != nil {
			t.Fatalf("encoding/json reads %q but Row does not: %v", data, err)
		}
		if len(got) != len(reference) {
			t.Fatalf("%q: %d cells, encoding/json has %d", data, len(got), len(reference))
		}
		for i, ref := range reference {
			if (ref == nil) == got[i].Valid || (ref != nil && *ref != got[i].Text) {
				t.Fatalf("%q cell %d = %#v, encoding/json has %v", data, i, got[i], ref)
			}
		}
	})
}
