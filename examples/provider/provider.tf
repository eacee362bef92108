terraform {
  required_providers {
    dbsql = {
      source  = "dbsqlhq/dbsql"
      version = "~> 0.1"
    }
  }
}

# Every argument is optional. Each falls back to an environment variable
# (DATABRICKS_HOST, DATABRICKS_WAREHOUSE_ID, and the credentials: DATABRICKS_CLIENT_ID
# with DATABRICKS_CLIENT_SECRET or a CI's identity token, or DATABRICKS_TOKEN), then
# to a profile of ~/.databrickscfg. In a pipeline, give the provider a service
# principal through the environment and leave credentials out of the configuration:
# see the authentication guide.
provider "dbsql" {
  base_url     = "https://adb-1234567890123456.7.azuredatabricks.net"
  warehouse_id = "1234567890abcdef"
  timeout      = 30
}
