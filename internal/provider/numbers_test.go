package provider

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// msgpackOf is v as the plugin protocol hands it to Terraform.
// msgpackOf is v encoded as the framework sends it, as a value of its own type or of
// typ when given (a dynamic attribute's).
func msgpackOf(t testing.TB, v tftypes.Value, typ ...tftypes.Type) []byte {
	t.Helper()
	as := v.Type()
	if len(typ) > 0 {
		as = typ[0]
	}
	dv, err := tfprotov6.NewDynamicValue(as, v)
	if err != nil {
		t.Fatal(err)
	}
	return dv.MsgPack
}

// asTerraformSeesIt is v with every number as Terraform reads it from the state: its
// text, read at Terraform's 512 bits. (Comparing msgpack bytes instead would depend on
// the order a map's keys are written in.)
func asTerraformSeesIt(t testing.TB, v tftypes.Value) tftypes.Value {
	t.Helper()
	out, err := tftypes.Transform(v, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.Type().Is(tftypes.Number) || !v.IsKnown() || v.IsNull() {
			return v, nil
		}
		var n big.Float
		if err := v.As(&n); err != nil {
			return v, err
		}
		read, _, err := big.ParseFloat(n.Text('f', -1), 10, numberPrecision, big.ToNearestEven)
		return tftypes.NewValue(tftypes.Number, read), err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Numbers are parsed at the precision their digits need, not at 512 bits, and still
// reach Terraform byte for byte as a 512-bit number would: the same msgpack for every
// number of this corpus, through the path a query's cells take.
func TestNumbersReachTerraformUnchanged(t *testing.T) {
	t.Parallel()
	corpus := map[string][]string{
		"BIGINT": {"0", "-0", "1", "-1", "9223372036854775807", "-9223372036854775808", "1000000", "42"},
		"INT":    {"2147483647", "-2147483648"},
		"DECIMAL(38,0)": {"99999999999999999999999999999999999999", "-99999999999999999999999999999999999999",
			"12345678901234567890123456789012345678"},
		"DECIMAL(38,10)": {"1234567890123456789012345678.0123456789", "-0.0000000001", "0.1000000000", "9999999999999999999999999999.9999999999"},
		"DECIMAL(38,38)": {"0.12345678901234567890123456789012345678", "-0.00000000000000000000000000000000000001"},
		"DECIMAL(10,2)":  {"0.10", "-0.01", "12345678.99", "0.00", "-0.00"},
		"DOUBLE": {"0.1", "1.5E10", "1.5e-10", "-2.5E-300", "1.7976931348623157E308", "4.9E-324", "2.2250738585072014E-308",
			"142857.14285714286", "3.141592653589793", "-0.0", "1.0E20", "1.23456789012345678E-5", "6.02214076E23"},
		"FLOAT": {"3.25", "1.17549435E-38", "3.4028235E38", "0.3"},
	}
	for typeText, numbers := range corpus {
		for _, s := range numbers {
			got, err := convertThroughResult(typeText, cell(s))
			if err != nil {
				t.Fatalf("%s %q: %v", typeText, s, err)
			}
			reference, _, err := big.ParseFloat(s, 10, numberPrecision, big.ToNearestEven)
			if err != nil {
				t.Fatal(err)
			}
			want := tftypes.NewValue(tftypes.Number, reference)
			if g, w := msgpackOf(t, got), msgpackOf(t, want); !bytes.Equal(g, w) {
				t.Errorf("%s %q reaches Terraform as %q, a 512-bit number as %q", typeText, s, g, w)
			}
			// And encoded straight from the text, as the provider's server sends rows.
			if g, _, err := appendMsgpackNumber(nil, s); err != nil || !bytes.Equal(g, msgpackOf(t, want)) {
				t.Errorf("%s %q is encoded as %q (%v), a 512-bit number as %q", typeText, s, g, err, msgpackOf(t, want))
			}
		}
	}
}
