terraform {
  required_providers {
    dbsql = {
      source  = "dbsqlhq/dbsql"
      version = "~> 0.1"
    }
  }
}

# Set the token from the environment: export TF_VAR_databricks_token=dapi...
# Never pass it with -var: the CLI writes its command line to its log.
variable "databricks_token" {
  type      = string
  sensitive = true
}

# Applying the connection tests it: the token must authenticate and the warehouse
# must exist.
resource "dbsql_connection" "sales" {
  name                = "Sales warehouse"
  base_url            = "https://adb-1234567890123456.7.azuredatabricks.net"
  timeout             = 30
  authentication_type = "personal_access_token"
  access_token        = var.databricks_token
  warehouse_id        = "1234567890abcdef"
}

# Queries and statements that name the connection run on it rather than on the
# provider block's connection.
data "dbsql_query" "orders_today" {
  connection_info = dbsql_connection.sales
  statement       = "SELECT count(*) AS orders FROM main.sales.orders WHERE order_date = current_date()"
}

output "connected_as" {
  value = dbsql_connection.sales.user_name
}

output "orders_today" {
  value = data.dbsql_query.orders_today.rows[0].orders
}
