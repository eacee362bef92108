terraform {
  required_providers {
    dbsql = {
      source  = "dbsqlhq/dbsql"
      version = "~> 0.1"
    }
  }
}

# A dedicated token for a pipeline, minted with the provider's own credential
# (e.g. DATABRICKS_TOKEN of an admin or service principal), valid for 90 days
# and replaced automatically in the last week of its life.
resource "dbsql_access_token" "flow" {
  comment          = "Flow pipeline"
  lifetime_seconds = 7776000 # 90 days
  rotate_before    = "168h"  # 7 days

  lifecycle {
    create_before_destroy = true # the new token exists before the old one is revoked
  }
}

# The connection updates in place, and is tested, whenever the token rotates.
resource "dbsql_connection" "flow" {
  name         = "Flow"
  base_url     = "https://adb-1234567890123456.7.azuredatabricks.net"
  access_token = dbsql_access_token.flow.token_value
  warehouse_id = "1234567890abcdef"
}
