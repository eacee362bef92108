package emulator

import (
	"net/http"
	"strings"
	"testing"
)

func TestSampleTrips(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	st := mustSucceed(t, s, `SELECT count(*), min(tpep_pickup_datetime), max(tpep_pickup_datetime),
  min(trip_distance), max(trip_distance), min(fare_amount), min(pickup_zip), max(pickup_zip),
  min(dropoff_zip), max(dropoff_zip), bool_and(tpep_dropoff_datetime > tpep_pickup_datetime),
  count(DISTINCT pickup_zip) > 100
FROM samples.nyctaxi.trips`)
	got := cells(st.Result)[0]
	want := []func(string) bool{
		eq("21932"),
		func(v string) bool { return strings.HasPrefix(v, "2016-01-01T") },
		func(v string) bool { return strings.HasPrefix(v, "2016-02-29T") },
		func(v string) bool { return v >= "0.1" && v < "1" },
		func(v string) bool { return v > "29" && v <= "30.0" },
		func(v string) bool { return v > "2.5" && v < "4" },
		eq("10001"), eq("11697"), eq("10001"), eq("11697"), eq("true"), eq("true"),
	}
	for i, ok := range want {
		if !ok(got[i]) {
			t.Errorf("column %d: %s", i, got[i])
		}
	}
	cols := map[string]string{}
	for _, c := range mustSucceed(t, s, "SELECT * FROM samples.nyctaxi.trips LIMIT 1").Manifest.Schema.Columns {
		cols[c.Name] = c.TypeText
	}
	for name, typ := range map[string]string{"tpep_pickup_datetime": "TIMESTAMP", "tpep_dropoff_datetime": "TIMESTAMP",
		"trip_distance": "DOUBLE", "fare_amount": "DOUBLE", "pickup_zip": "INT", "dropoff_zip": "INT"} {
		if cols[name] != typ {
			t.Errorf("%s: %s, want %s", name, cols[name], typ)
		}
	}
	if len(cols) != 6 {
		t.Errorf("columns %v", cols)
	}
}

// TestSampleTripsDeterministic: two emulators hold the same rows.
func TestSampleTripsDeterministic(t *testing.T) {
	t.Parallel()
	const q = "SELECT sum(hash(tpep_pickup_datetime, trip_distance, fare_amount, pickup_zip, dropoff_zip)) FROM samples.nyctaxi.trips"
	a := single(t, mustSucceed(t, start(t, Options{SampleTrips: 500}), q))
	b := single(t, mustSucceed(t, start(t, Options{SampleTrips: 500}), q))
	if a != b {
		t.Fatalf("%s != %s", a, b)
	}
}

func TestNoSampleData(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	st := query(t, s, "SELECT * FROM samples.nyctaxi.trips")
	if st.Status.State != statementFailed || !strings.Contains(st.Status.Error.Message, "TABLE_OR_VIEW_NOT_FOUND") {
		t.Fatalf("%+v", st.Status)
	}
	if c := do(t, s, http.MethodGet, mePath, nil); c.status != http.StatusOK {
		t.Fatal(c.status)
	}
}

func eq(want string) func(string) bool { return func(v string) bool { return v == want } }
