# A table name cannot be a parameter: quote it instead. Qualified names are quoted
# part by part.
variable "table" {
  type    = list(string)
  default = ["main", "sales", "daily orders"]
}

data "dbsql_query" "count" {
  statement = "SELECT count(*) AS n FROM ${join(".", [for part in var.table : provider::dbsql::quote_identifier(part)])}"
}
