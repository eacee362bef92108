# A value that is itself a secret, read for this run only: never in state or plan.
ephemeral "dbsql_query" "service_token" {
  statement  = "SELECT secret FROM ops.credentials.tokens WHERE name = :name"
  parameters = [{ name = "name", value = "reporting" }]
}

resource "dbsql_connection" "reporting" {
  name                    = "Reporting"
  base_url                = "https://adb-1234567890123456.7.azuredatabricks.net"
  access_token_wo         = ephemeral.dbsql_query.service_token.rows[0].secret
  access_token_wo_version = 1
}
