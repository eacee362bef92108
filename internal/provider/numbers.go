package provider

import (
	"fmt"
	"math/big"
	"strings"
)

// numberPrecision is the most mantissa precision, in bits, a number parsed from a cell
// gets: the precision Terraform itself parses numbers with.
const numberPrecision = 512

// precisionFor is the precision a number of digits significant digits is parsed at: as
// many bits as its digits need and a margin (4 bits a digit, where 3.33 would do, and 16
// more), at least 128. It gives the same value Terraform sees: a number's text in the
// state is the shortest that reads back as the same number at its precision, and for a
// decimal of d digits parsed at more than 3.33d bits that text is the decimal itself, so
// the msgpack Terraform receives is byte for byte the one a 512-bit number gives
// (TestNumbersReachTerraformUnchanged). Fewer bits make every fraction cheaper to
// divide, to hold, and above all to write out: printing a 512-bit fraction took 41% of
// the provider's CPU for a large result (BENCHMARKS.md).
func precisionFor(digits int) uint {
	return uint(min(max(128, 4*digits+16), numberPrecision))
}

// parseDecimal parses a numeric cell into z (a new number if z is nil) without passing
// through float64, so that a BIGINT or a DECIMAL(38,s) keeps every digit. nonFinite
// reports NaN and infinities.
func parseDecimal(z *big.Float, s string) (f *big.Float, nonFinite bool, err error) {
	if z == nil {
		z = new(big.Float)
	}
	// Most numbers are short and plain: read them without big.ParseFloat's scanner. An
	// integer is exact in 64 bits; a fraction is the one division ParseFloat would do,
	// rounded the same way.
	if m, scale, ok := shortDecimal(s); ok {
		if scale == 0 {
			return z.SetInt64(m), false, nil
		}
		z.SetPrec(precisionFor(maxShortDigits)).SetInt64(m)
		return z.Quo(z, powersOfTen[scale]), false, nil
	}
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "nan", "infinity", "inf":
		return nil, true, nil
	}
	if !isDecimalText(s) {
		return nil, false, fmt.Errorf("%q is not a number", s)
	}
	f, _, err = z.SetPrec(precisionFor(significantDigits(s))).SetMode(big.ToNearestEven).Parse(s, 10)
	if err != nil {
		return nil, false, fmt.Errorf("%q is not a number: %w", s, err)
	}
	return f, false, nil
}

// maxShortDigits is the most digits whose value always fits an int64.
const maxShortDigits = 18

// powersOfTen holds 10^0 to 10^maxShortDigits, exactly. They are only ever read.
var powersOfTen = func() (p [maxShortDigits + 1]*big.Float) {
	n := int64(1)
	for i := range p {
		p[i] = new(big.Float).SetInt64(n)
		n *= 10
	}
	return p
}()

// shortDecimal reads plain decimal text of at most maxShortDigits digits, such as
// "-123.45", as m x 10^-scale. Anything else (exponents, long numbers, words) is left to
// the general path.
func shortDecimal(s string) (m int64, scale int, ok bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg, i = s[i] == '-', i+1
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			m = m*10 + int64(c-'0')
			digits++
			if dot {
				scale++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, 0, false
		}
	}
	if digits == 0 || digits > maxShortDigits {
		return 0, 0, false
	}
	if neg {
		m = -m
	}
	return m, scale, true
}

// isDecimalText accepts plain decimal notation with an optional exponent, and nothing
// else big.ParseFloat would (hexadecimal, underscores, "Inf").
func isDecimalText(s string) bool {
	if s == "" {
		return false
	}
	i := 0
	if s[i] == '+' || s[i] == '-' {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		expDigits := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			expDigits++
		}
		if expDigits == 0 || expDigits > 3 { // beyond any DOUBLE; and 1e999999 would print a million digits
			return false
		}
	}
	return i == len(s)
}

// significantDigits counts the digits of decimal text's mantissa (leading zeros too,
// which only overcounts), not those of its exponent.
func significantDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			n++
		case c == 'e' || c == 'E':
			return n
		}
	}
	return n
}
