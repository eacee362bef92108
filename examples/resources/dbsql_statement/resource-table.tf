terraform {
  required_providers {
    dbsql = {
      source  = "dbsqlhq/dbsql"
      version = "~> 0.1"
    }
  }
}

variable "table" {
  description = "The table to create, fully qualified."
  type        = string
  default     = "main.sales.daily_orders"
}

# A table created on apply and dropped on destroy. Its name is a parameter:
# IDENTIFIER(:table) takes it, so it is never spliced into the SQL. revert also
# runs before a replacement: changing the name drops the old table.
resource "dbsql_statement" "daily_orders" {
  execute    = "CREATE TABLE IF NOT EXISTS IDENTIFIER(:table) (order_date DATE, orders BIGINT, revenue DECIMAL(18, 2))"
  revert     = "DROP TABLE IF EXISTS IDENTIFIER(:table)"
  parameters = [{ name = "table", value = var.table }]

  # Drift: on every refresh, verify says whether the table still stands. If someone
  # drops it, the next plan shows it being created again.
  verify = "SELECT count(*) > 0 AS present FROM system.information_schema.tables WHERE concat_ws('.', table_catalog, table_schema, table_name) = :table"

  timeouts = {
    create = "30m" # includes a stopped warehouse's start
  }
}
