# Set the token from the environment: export TF_VAR_databricks_token=dapi...
# Never pass it with -var: the CLI writes its command line to its log.
variable "databricks_token" {
  type      = string
  sensitive = true
}

resource "dbsql_connection" "sales" {
  name                = "Sales warehouse"
  base_url            = "https://adb-1234567890123456.7.azuredatabricks.net"
  timeout             = 30
  authentication_type = "personal_access_token"
  access_token        = var.databricks_token
  warehouse_id        = "1234567890abcdef"
}

output "connected_as" {
  value = dbsql_connection.sales.user_name
}
