# The quickstart: a tested connection and a query on the sample data.
#
# `make demo` runs it against the local emulator. To run it against a real
# workspace, set these from your shell (never with -var, which the CLI logs):
#
#   export TF_VAR_base_url=https://adb-1234567890123456.7.azuredatabricks.net
#   export TF_VAR_access_token=dapi...
#   export TF_VAR_warehouse_id=1234567890abcdef

terraform {
  required_providers {
    dbsql = {
      source  = "dbsqlhq/dbsql"
      version = "~> 0.1"
    }
  }
}

variable "base_url" {
  description = "The workspace URL, e.g. https://adb-1234567890123456.7.azuredatabricks.net."
  type        = string
}

variable "access_token" {
  description = "A personal access token with access to the warehouse."
  type        = string
  sensitive   = true
}

variable "warehouse_id" {
  description = "The SQL warehouse to query: the last part of its HTTP path."
  type        = string
}

resource "dbsql_connection" "quickstart" {
  name         = "Quickstart"
  base_url     = var.base_url
  access_token = var.access_token
  warehouse_id = var.warehouse_id
}

data "dbsql_query" "busiest_zips" {
  connection_info = dbsql_connection.quickstart
  catalog         = "samples"
  schema          = "nyctaxi"
  statement       = <<-SQL
    SELECT pickup_zip, count(*) AS trips, round(avg(fare_amount), 2) AS avg_fare
    FROM trips
    WHERE trip_distance > :min_miles
    GROUP BY pickup_zip
    ORDER BY trips DESC, pickup_zip
    LIMIT :n
  SQL
  parameters = [
    { name = "min_miles", value = "2.5", type = "DOUBLE" },
    { name = "n", value = "5", type = "INT" },
  ]
}

output "user_name" {
  description = "Who the token belongs to, from the connection test."
  value       = dbsql_connection.quickstart.user_name
}

output "warehouse_name" {
  value = dbsql_connection.quickstart.warehouse_name
}

output "busiest_pickup_zips" {
  description = "The query's rows, as a small table. The values are typed: trips is a number."
  value = join("\n", concat(
    [format("%-10s %8s %9s", "pickup_zip", "trips", "avg_fare")],
    [for row in data.dbsql_query.busiest_zips.rows : format("%-10d %8d %9.2f", row.pickup_zip, row.trips, row.avg_fare)],
  ))
}
