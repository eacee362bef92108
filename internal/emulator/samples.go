package emulator

import (
	"context"
	"database/sql"
	"fmt"
)

// prepareDatabase creates the catalogs a fresh workspace has (main.default,
// and samples.nyctaxi with the trips table unless trips is negative) and
// pins the session time zone to UTC like a SQL warehouse.
func prepareDatabase(ctx context.Context, db *sql.DB, trips int) error {
	stmts := []string{
		"SET GLOBAL TimeZone = 'UTC'",
		"ATTACH ':memory:' AS " + mainCatalog,
		"CREATE SCHEMA " + mainCatalog + `."default"`,
		"ATTACH ':memory:' AS samples",
		"CREATE SCHEMA samples.nyctaxi",
	}
	if trips > 0 {
		stmts = append(stmts, tripsSQL(trips))
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// tripsSQL generates samples.nyctaxi.trips. There is no randomness: each
// column is a multiplicative hash of the row number, so every emulator holds
// the same rows and tests can rely on them. Pickups fall in January and
// February 2016, trips last a minute plus two to six minutes per mile,
// distances lean short (0.1 to 30 miles), fares start at 2.50 plus distance
// and time, and zip codes lie in 10001..11697.
func tripsSQL(n int) string {
	return fmt.Sprintf(`CREATE TABLE samples.nyctaxi.trips AS
WITH h AS (
  SELECT i,
    (i * 2654435761 + 97) %% 4294967296 AS h1,
    (i * 2246822519 + 13) %% 4294967296 AS h2,
    (i * 3266489917 + 7) %% 4294967296 AS h3,
    (i * 668265263 + 3) %% 4294967296 AS h4
  FROM range(%d) r(i)
), d AS (
  SELECT i,
    h1 %% 5184000 AS pickup_second,
    round(0.1 + power((h2 %% 1000) / 1000.0, 2) * 29.9, 2) AS distance,
    60 + CAST(round(0.1 + power((h2 %% 1000) / 1000.0, 2) * 29.9, 2) * (120 + h3 %% 240) AS BIGINT) AS seconds,
    h4
  FROM h
)
SELECT
  TIMESTAMP '2016-01-01 00:00:00' + to_seconds(pickup_second) AS tpep_pickup_datetime,
  TIMESTAMP '2016-01-01 00:00:00' + to_seconds(pickup_second + seconds) AS tpep_dropoff_datetime,
  distance AS trip_distance,
  round(2.5 + distance * 2.5 + seconds / 60.0 * 0.5, 2) AS fare_amount,
  CAST(10001 + h4 %% 1697 AS INTEGER) AS pickup_zip,
  CAST(10001 + (h4 // 1697) %% 1697 AS INTEGER) AS dropoff_zip
FROM d
ORDER BY i`, n)
}
