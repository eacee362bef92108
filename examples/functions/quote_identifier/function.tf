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

# Prefer parameters, and IDENTIFIER(:name) for a table or column name, wherever the
# statement takes them. GRANT takes neither: quote the principal and the securable's
# name there. A qualified name is quoted part by part.
variable "readers" {
  description = "Who may read the orders table: users (by e-mail) and groups."
  type        = set(string)
  default     = ["alice@example.com", "sales analysts"]
}

locals {
  orders = join(".", [for part in ["main", "sales", "orders"] : provider::dbsql::quote_identifier(part)])
}

resource "dbsql_statement" "orders_readers" {
  for_each = var.readers
  execute  = "GRANT SELECT ON TABLE ${local.orders} TO ${provider::dbsql::quote_identifier(each.value)}"
  revert   = "REVOKE SELECT ON TABLE ${local.orders} FROM ${provider::dbsql::quote_identifier(each.value)}"
}
