# The ten busiest pickup zip codes among longer trips, from the sample data
# every Databricks workspace has.
data "dbsql_query" "trips" {
  connection_info = dbsql_connection.sales # else the provider block's connection
  catalog         = "samples"
  schema          = "nyctaxi"
  statement       = <<-SQL
    SELECT pickup_zip, count(*) AS trips, avg(fare_amount) AS avg_fare
    FROM trips
    WHERE trip_distance > :min_miles
    GROUP BY pickup_zip
    ORDER BY trips DESC
    LIMIT :n
  SQL
  parameters = [
    { name = "min_miles", value = "2.5", type = "DOUBLE" },
    { name = "n", value = "10", type = "INT" },
  ]
  timeouts = {
    read = "20m" # includes a stopped warehouse's start
  }
}

# Values are typed: pickup_zip is a number, not a string.
output "top_zip" {
  value = data.dbsql_query.trips.rows[0].pickup_zip
}
