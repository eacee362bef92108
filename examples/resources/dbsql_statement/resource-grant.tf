terraform {
  # provider::dbsql::quote_identifier: Terraform 1.8+ (OpenTofu 1.7+).
  required_version = ">= 1.8"
  required_providers {
    dbsql = {
      source  = "dbsqlhq/dbsql"
      version = "~> 0.1"
    }
  }
}

variable "analysts" {
  description = "The group that may read the sales tables."
  type        = string
  default     = "sales-analysts"
}

# A GRANT, and the REVOKE that undoes it on destroy. A principal can be neither a
# parameter nor an IDENTIFIER() in GRANT, so it is quoted: a name with a hyphen, a
# space or a back-quote stays one name. Changing the group revokes the old grant
# and grants to the new group.
locals {
  analysts = provider::dbsql::quote_identifier(var.analysts)
}

resource "dbsql_statement" "analysts_use_schema" {
  execute = "GRANT USE SCHEMA, SELECT ON SCHEMA main.sales TO ${local.analysts}"
  revert  = "REVOKE USE SCHEMA, SELECT ON SCHEMA main.sales FROM ${local.analysts}"
}
