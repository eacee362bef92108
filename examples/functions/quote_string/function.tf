# Where a value cannot be a parameter, as in a comment in DDL, quote it as a literal.
resource "dbsql_statement" "comment" {
  execute = "COMMENT ON TABLE main.sales.orders IS ${provider::dbsql::quote_string("Orders (owner: O'Connell)")}"
}
