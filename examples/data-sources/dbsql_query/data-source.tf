terraform {
  required_providers {
    dbsql = {
      source  = "dbsqlhq/dbsql"
      version = "~> 0.1"
    }
  }
}

# The ten busiest pickup zip codes among longer trips, from the sample data every
# Databricks workspace has. It runs on the provider's connection (DATABRICKS_HOST,
# DATABRICKS_TOKEN, DATABRICKS_WAREHOUSE_ID, or the provider block); set
# connection_info = dbsql_connection.<name> to run it on a connection of your own.
data "dbsql_query" "trips" {
  catalog   = "samples"
  schema    = "nyctaxi"
  statement = <<-SQL
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

# A table whose name comes from a variable: IDENTIFIER(:table) takes it as a
# parameter, so it is never spliced into the SQL.
variable "orders_table" {
  type    = string
  default = "main.sales.orders"
}

data "dbsql_query" "order_count" {
  statement  = "SELECT count(*) AS n FROM IDENTIFIER(:table)"
  parameters = [{ name = "table", value = var.orders_table }]
}

# A large result passed on whole: one JSON string instead of a value per cell, a
# fraction of the memory and time of typed rows. Each row is an array of its values, in
# the order of the SELECT (and of columns).
data "dbsql_query" "daily_orders" {
  statement     = "SELECT order_id, customer_id, amount, placed_at FROM main.sales.orders WHERE placed_at >= current_date() - INTERVAL 1 DAY"
  row_limit     = 1000000
  result_format = "json"
}

output "daily_orders_json" {
  value = data.dbsql_query.daily_orders.rows_json
}

# Where HCL needs some of it: jsondecode(), and zipmap() for rows keyed by column name.
output "first_order" {
  value = zipmap(data.dbsql_query.daily_orders.columns[*].name, jsondecode(data.dbsql_query.daily_orders.rows_json)[0])
}
