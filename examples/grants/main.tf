# A table and who may read it, managed by Terraform: apply runs CREATE TABLE and
# GRANT, destroy runs REVOKE and DROP TABLE, in reverse order.
#
# It runs unchanged against a workspace and against the emulator: point the
# provider at either through the environment.
#
#   export DATABRICKS_HOST=http://127.0.0.1:8765
#   export DATABRICKS_TOKEN=dapi0123456789abcdef0123456789abcdef
#   export DATABRICKS_WAREHOUSE_ID=a1b2c3d4e5f60718
#
# An acceptance test (TestAccStatement_grantsExample) applies this file as it is,
# checks SHOW GRANTS (the grants output), and destroys it, checking that the grant
# and the table are gone.

terraform {
  required_providers {
    dbsql = {
      source  = "dbsqlhq/dbsql"
      version = "~> 0.1"
    }
  }
}

provider "dbsql" {}

variable "principal" {
  description = "Who may read the table: a user, a group or a service principal."
  type        = string
  default     = "analysts"

  validation {
    condition     = !strcontains(var.principal, "`")
    error_message = "The principal is written between back-quotes in the GRANT, so it must not contain one."
  }
}

resource "dbsql_statement" "orders" {
  catalog = "main"
  schema  = "default"
  execute = "CREATE TABLE IF NOT EXISTS orders (order_id BIGINT, amount DECIMAL(10,2)) USING DELTA COMMENT 'Managed by Terraform'"
  revert  = "DROP TABLE IF EXISTS orders"
}

resource "dbsql_statement" "analysts_read_orders" {
  execute = "GRANT SELECT ON TABLE main.default.orders TO `${var.principal}`"
  revert  = "REVOKE SELECT ON TABLE main.default.orders FROM `${var.principal}`"

  depends_on = [dbsql_statement.orders]
}

data "dbsql_query" "grants" {
  statement = "SHOW GRANTS ON TABLE main.default.orders"

  depends_on = [dbsql_statement.analysts_read_orders]
}

output "grants" {
  description = "The table's grants, as SHOW GRANTS lists them: principal, ActionType, ObjectType, ObjectKey."
  value       = [for g in data.dbsql_query.grants.rows : "${g.principal} ${g.ActionType} ${g.ObjectType} ${g.ObjectKey}"]
}
