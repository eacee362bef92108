terraform {
  required_providers {
    dbsql = {
      source  = "dbsqlhq/dbsql"
      version = "~> 0.1"
    }
  }
}

# Every argument is optional. Each falls back to an environment variable
# (DATABRICKS_HOST, DATABRICKS_TOKEN, DATABRICKS_WAREHOUSE_ID), then to a profile
# of ~/.databrickscfg. In a pipeline, export DATABRICKS_TOKEN and leave the token
# out of the configuration altogether.
provider "dbsql" {
  base_url     = "https://adb-1234567890123456.7.azuredatabricks.net"
  warehouse_id = "1234567890abcdef"
  timeout      = 30
}
