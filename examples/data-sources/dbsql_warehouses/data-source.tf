terraform {
  required_providers {
    dbsql = {
      source  = "dbsqlhq/dbsql"
      version = "~> 0.1"
    }
  }
}

# Find the warehouse by name instead of pasting its id.
data "dbsql_warehouses" "reporting" {
  name = "Reporting"
}

data "dbsql_query" "daily" {
  warehouse_id = one(data.dbsql_warehouses.reporting.warehouses).id
  statement    = "SELECT current_date() AS today"
}

# Every warehouse whose name starts with "etl-".
data "dbsql_warehouses" "etl" {
  name_regex = "^etl-"
}

output "etl_warehouses_running" {
  value = [for w in data.dbsql_warehouses.etl.warehouses : w.name if w.state == "RUNNING"]
}
