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

# A token for this run only: minted when the run needs it, revoked when it ends,
# never written to state or plan.
ephemeral "dbsql_access_token" "run" {
  comment          = "terraform run"
  lifetime_seconds = 3600 # bounds it should the run be killed
}

# Feed it to a provider block...
provider "dbsql" {
  alias        = "run"
  base_url     = "https://adb-1234567890123456.7.azuredatabricks.net"
  access_token = ephemeral.dbsql_access_token.run.token_value
  warehouse_id = "1234567890abcdef"
}

data "dbsql_warehouses" "all" {
  provider = dbsql.run
}

# ...or to a write-only argument.
resource "dbsql_connection" "sales" {
  name                    = "Sales warehouse"
  base_url                = "https://adb-1234567890123456.7.azuredatabricks.net"
  access_token_wo         = ephemeral.dbsql_access_token.run.token_value
  access_token_wo_version = 1
}
