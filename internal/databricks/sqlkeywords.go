package databricks

// sqlKeywords are the only words LeadingKeywords and NotReadOnlyError ever return: the
// keywords that start Databricks SQL statements or shape their first few words, from the
// SQL reference's statement list. Words that are often names (DATA, FILE, USERS) are left
// out, so that a name is never returned as if it were a keyword.
var sqlKeywords = func() map[string]string {
	m := map[string]string{}
	for _, kw := range []string{
		// Statements.
		"ALTER", "ANALYZE", "APPLY", "BEGIN", "CACHE", "CALL", "CLEAR", "COMMENT", "COMMIT",
		"CONVERT", "COPY", "CREATE", "DECLARE", "DELETE", "DENY", "DESC", "DESCRIBE", "DROP",
		"END", "EXECUTE", "EXPLAIN", "FROM", "FSCK", "GENERATE", "GET", "GRANT", "INSERT",
		"LIST", "LOAD", "MERGE", "MSCK", "OPTIMIZE", "PUT", "REFRESH", "REMOVE", "REORG",
		"REPAIR", "REPLACE", "RESET", "RESTORE", "REVOKE", "ROLLBACK", "SELECT", "SET", "SHOW",
		"SIGNAL", "SYNC", "TABLE", "TRUNCATE", "UNCACHE", "UNDROP", "UNSET", "UPDATE", "USE",
		"VACUUM", "VALUES", "WITH", "ADD",
		// Words that shape their first few words.
		"ALL", "AS", "BY", "CATALOG", "CATALOGS", "CHANGES", "CLONE", "CLUSTER", "CODEGEN",
		"COLUMN", "COLUMNS", "CONNECTION", "CONNECTIONS", "CONSTRAINT", "COST", "CREDENTIAL",
		"CREDENTIALS", "CURRENT", "DATABASE", "DATABASES", "DEEP", "DETAIL", "DISTINCT",
		"EXISTS", "EXTENDED", "EXTERNAL", "FORMATTED", "FUNCTION", "FUNCTIONS", "GLOBAL",
		"GRANTS", "HISTORY", "IF", "IMMEDIATE", "INDEX", "INTO", "LEVEL", "LIVE", "LOCATION",
		"LOCATIONS", "LOGICAL", "MATERIALIZED", "MAX", "NAMESPACE", "NAMESPACES", "NOT", "ON",
		"OR", "OVERWRITE", "PARTITION", "PARTITIONS", "PRIVILEGES", "PROCEDURE", "PROCEDURES",
		"PROVIDER", "PROVIDERS", "QUERY", "RECIPIENT", "RECIPIENTS", "RECURSION", "RECURSIVE",
		"SCHEMA", "SCHEMAS", "SHALLOW", "SHARE", "SHARES", "STREAMING", "TABLES",
		"TBLPROPERTIES", "TEMP", "TEMPORARY", "TO", "VARIABLE", "VIEW", "VIEWS", "VOLUME",
		"VOLUMES",
	} {
		m[kw] = kw
	}
	return m
}()
