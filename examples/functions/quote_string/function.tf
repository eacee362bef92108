terraform {
  # Provider functions: Terraform 1.8+ (OpenTofu 1.7+).
  required_version = ">= 1.8"
  required_providers {
    dbsql = {
      source  = "dbsqlhq/dbsql"
      version = "~> 0.1"
    }
  }
}

# Where a value cannot be a parameter, as in a comment in DDL, quote it as a
# string literal. Everywhere else, prefer parameters.
variable "orders_owner" {
  type    = string
  default = "O'Connell"
}

resource "dbsql_statement" "orders_comment" {
  execute = "COMMENT ON TABLE main.sales.orders IS ${provider::dbsql::quote_string("Orders (owner: ${var.orders_owner})")}"
  revert  = "COMMENT ON TABLE main.sales.orders IS NULL"
}
