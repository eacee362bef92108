terraform {
  # Ephemeral resources and write-only arguments: Terraform 1.11+, OpenTofu 1.11+.
  required_version = ">= 1.11"
  required_providers {
    dbsql = {
      source  = "dbsqlhq/dbsql"
      version = "~> 0.1"
    }
  }
}

# A value that is itself a secret, read for this run only: never in state or plan.
ephemeral "dbsql_query" "service_token" {
  statement  = "SELECT secret FROM ops.credentials.tokens WHERE name = :name"
  parameters = [{ name = "name", value = "reporting" }]
}

# Handed to a write-only argument, which is never stored either.
resource "dbsql_connection" "reporting" {
  name                    = "Reporting"
  base_url                = "https://adb-1234567890123456.7.azuredatabricks.net"
  access_token_wo         = ephemeral.dbsql_query.service_token.rows[0].secret
  access_token_wo_version = 1
}
