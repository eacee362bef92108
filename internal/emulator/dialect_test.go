package emulator

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// dialectCase is one statement, written as a Databricks user writes it (the
// shapes of Databricks' SQL reference), and what Databricks answers.
type dialectCase struct {
	sql string
	// want is the rows: cells joined by |, rows by newlines, NULL for null;
	// "" means no rows at all. "-" skips the check (has, cols or types say
	// what matters).
	want  string
	err   string   // the error class the message must start with
	cols  string   // column names, joined by |
	types string   // type_text of each column, joined by |
	has   []string // rows that must be in the result, as in want
	// params are name=value (STRING) or name:TYPE=value.
	params []string
	ns     string // catalog.schema of the request; default main.default
}

// dialectCases run in order on one emulator: later statements read what
// earlier ones made.
var dialectCases = []dialectCase{
	// Catalogs and schemas.
	{sql: "SHOW CATALOGS", want: "main\nsamples\nsystem", cols: "catalog"},
	{sql: "CREATE CATALOG IF NOT EXISTS sales COMMENT 'Sales data'", want: ""},
	{sql: "CREATE CATALOG sales", err: "CATALOG_ALREADY_EXISTS"},
	{sql: "SHOW CATALOGS LIKE 's*'", want: "sales\nsamples\nsystem"},
	{sql: "CREATE SCHEMA sales.crm COMMENT 'CRM extracts' WITH DBPROPERTIES ('team' = 'growth')", want: ""},
	{sql: "CREATE SCHEMA IF NOT EXISTS sales.crm", want: ""},
	{sql: "CREATE DATABASE sales.crm", err: "SCHEMA_ALREADY_EXISTS"},
	{sql: "CREATE SCHEMA nope.crm", err: "NO_SUCH_CATALOG_EXCEPTION"},
	{sql: "SHOW SCHEMAS IN sales", want: "crm\ndefault\ninformation_schema", cols: "databaseName"},
	{sql: "SHOW SCHEMAS FROM sales LIKE 'c*|d*'", want: "crm\ndefault"},
	{sql: "DESCRIBE SCHEMA sales.crm", want: "Catalog Name|sales\nNamespace Name|crm\nComment|CRM extracts\nLocation|\nOwner|emulator@example.com", cols: "database_description_item|database_description_value"},
	{sql: "DESCRIBE SCHEMA EXTENDED sales.crm", want: "-", has: []string{"Properties|[team=growth]"}},
	{sql: "DESCRIBE CATALOG sales", want: "Catalog Name|sales\nComment|Sales data\nOwner|emulator@example.com\nCatalog Type|MANAGED_CATALOG", cols: "info_name|info_value"},
	{sql: "ALTER SCHEMA sales.crm OWNER TO `data-eng`", want: ""},
	{sql: "COMMENT ON CATALOG sales IS 'All sales data'", want: ""},
	{sql: "SELECT catalog_name, comment FROM sales.information_schema.catalogs", want: "sales|All sales data"},
	{sql: "SELECT schema_name, schema_owner FROM sales.information_schema.schemata ORDER BY schema_name", want: "crm|data-eng\ndefault|emulator@example.com\ninformation_schema|System user"},
	{sql: "SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'crm'", ns: "sales.default", want: "crm"},
	{sql: "USE CATALOG sales", want: ""},
	{sql: "USE SCHEMA sales.nope", err: "SCHEMA_NOT_FOUND"},

	// Tables, with Delta's clauses remembered where DESCRIBE and SHOW show them.
	{sql: `CREATE TABLE sales.crm.customers (
  id BIGINT NOT NULL COMMENT 'Customer id',
  name STRING,
  region STRING,
  signup DATE,
  score DECIMAL(5,2)
) USING DELTA
PARTITIONED BY (region)
COMMENT 'Customers'
TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')`, want: ""},
	{sql: "CREATE TABLE sales.crm.customers (id INT)", err: "TABLE_OR_VIEW_ALREADY_EXISTS"},
	{sql: "CREATE TABLE IF NOT EXISTS sales.crm.customers (id INT)", want: ""},
	{sql: "INSERT INTO sales.crm.customers VALUES (1, 'Ada', 'EMEA', DATE '2024-01-15', 9.5), (2, 'Grace', 'AMER', DATE '2024-02-01', 7.25)", want: "2|2", cols: "num_affected_rows|num_inserted_rows", types: "BIGINT|BIGINT"},
	{sql: "INSERT INTO sales.crm.customers (id, name, region) VALUES (3, 'Linus', 'EMEA')", want: "1|1"},
	{sql: "SELECT id, name, score FROM sales.crm.customers ORDER BY id", want: "1|Ada|9.50\n2|Grace|7.25\n3|Linus|NULL", types: "BIGINT|STRING|DECIMAL(5,2)"},
	{sql: "INSERT INTO sales.crm.customers VALUES (4, 'Short')", err: "INSERT_COLUMN_ARITY_MISMATCH"},
	{sql: "INSERT INTO sales.crm.customers (id) VALUES (NULL)", err: "DELTA_NOT_NULL_CONSTRAINT_VIOLATED"},
	{sql: "UPDATE sales.crm.customers SET score = score + 0.5 WHERE region = 'EMEA' AND score IS NOT NULL", want: "1", cols: "num_affected_rows"},
	{sql: "UPDATE sales.crm.customers AS c SET c.signup = DATE '2024-03-01' WHERE c.id = 3", want: "1"},
	{sql: "DELETE FROM sales.crm.customers WHERE id = 3", want: "1"},
	{sql: "SELECT name, score FROM sales.crm.customers WHERE region = :region ORDER BY name", params: []string{"region=EMEA"}, want: "Ada|10.00"},
	{sql: "DESCRIBE TABLE sales.crm.customers", cols: "col_name|data_type|comment", want: "id|bigint|Customer id\nname|string|NULL\nregion|string|NULL\nsignup|date|NULL\nscore|decimal(5,2)|NULL\n# Partition Information||\n# col_name|data_type|comment\nregion|string|NULL"},
	{sql: "DESCRIBE sales.crm.customers id", want: "col_name|id\ndata_type|bigint\ncomment|Customer id"},
	{sql: "DESCRIBE TABLE EXTENDED sales.crm.customers", want: "-", has: []string{"# Detailed Table Information||", "Catalog|sales|", "Database|crm|", "Table|customers|", "Type|MANAGED|", "Provider|delta|", "Comment|Customers|", "Owner|emulator@example.com|", "Table Properties|[delta.enableChangeDataFeed=true,delta.minReaderVersion=1,delta.minWriterVersion=2]|"}},
	{sql: "SHOW TABLES IN sales.crm", want: "crm|customers|false", cols: "database|tableName|isTemporary", types: "STRING|STRING|BOOLEAN"},
	{sql: "SHOW TABLES", ns: "sales.crm", want: "crm|customers|false"},
	{sql: "SHOW COLUMNS IN sales.crm.customers", want: "id\nname\nregion\nsignup\nscore", cols: "col_name"},
	{sql: "SHOW COLUMNS IN customers IN sales.crm", want: "id\nname\nregion\nsignup\nscore"},
	{sql: "SHOW TBLPROPERTIES sales.crm.customers", want: "delta.enableChangeDataFeed|true\ndelta.minReaderVersion|1\ndelta.minWriterVersion|2", cols: "key|value"},
	{sql: "ALTER TABLE sales.crm.customers ADD COLUMNS (tier STRING COMMENT 'Loyalty tier', visits INT)", want: ""},
	{sql: "ALTER TABLE sales.crm.customers ALTER COLUMN name COMMENT 'Display name'", want: ""},
	{sql: "ALTER TABLE sales.crm.customers SET TBLPROPERTIES ('owner.team' = 'growth')", want: ""},
	{sql: "ALTER TABLE sales.crm.customers UNSET TBLPROPERTIES ('delta.enableChangeDataFeed')", want: ""},
	{sql: "SHOW TBLPROPERTIES sales.crm.customers ('owner.team')", want: "owner.team|growth"},
	{sql: "ALTER TABLE sales.crm.customers OWNER TO `data-eng`", want: ""},
	{sql: "ALTER TABLE sales.crm.customers ADD CONSTRAINT valid_score CHECK (score >= 0)", want: ""},
	{sql: "SHOW TBLPROPERTIES sales.crm.customers ('delta.constraints.valid_score')", want: "delta.constraints.valid_score|score >= 0"},
	{sql: "ALTER TABLE sales.crm.customers DROP CONSTRAINT valid_score", want: ""},
	{sql: "ALTER TABLE sales.crm.customers DROP CONSTRAINT valid_score", err: "DELTA_CONSTRAINT_DOES_NOT_EXIST"},
	{sql: "SELECT column_name, data_type, full_data_type, ordinal_position, is_nullable, comment, partition_index FROM sales.information_schema.columns WHERE table_name = 'customers' ORDER BY ordinal_position",
		want: "id|BIGINT|bigint|1|NO|Customer id|NULL\nname|STRING|string|2|YES|Display name|NULL\nregion|STRING|string|3|YES|NULL|0\nsignup|DATE|date|4|YES|NULL|NULL\nscore|DECIMAL|decimal(5,2)|5|YES|NULL|NULL\ntier|STRING|string|6|YES|Loyalty tier|NULL\nvisits|INT|int|7|YES|NULL|NULL"},
	{sql: "SELECT table_name, table_type, table_owner, comment, data_source_format FROM sales.information_schema.tables WHERE table_schema = 'crm'", want: "customers|MANAGED|data-eng|Customers|DELTA"},
	{sql: "COMMENT ON TABLE sales.crm.customers IS 'Customer master'", want: ""},
	{sql: "SELECT comment FROM system.information_schema.tables WHERE table_catalog = 'sales' AND table_name = 'customers'", want: "Customer master"},
	{sql: `CREATE OR REPLACE TABLE sales.crm.orders (
  order_id BIGINT GENERATED ALWAYS AS IDENTITY,
  customer_id BIGINT,
  amount DECIMAL(10,2),
  status STRING,
  ordered_at TIMESTAMP
) CLUSTER BY (customer_id)`, want: ""},
	{sql: `INSERT INTO sales.crm.orders (customer_id, amount, status, ordered_at) VALUES
  (1, 120.00, 'open', TIMESTAMP '2024-03-01 10:00:00'),
  (1, 80.50, 'shipped', TIMESTAMP '2024-03-02 11:30:00'),
  (2, 42.00, 'open', TIMESTAMP '2024-03-03 09:15:00')`, want: "3|3"},
	{sql: "SELECT order_id, amount, ordered_at FROM sales.crm.orders ORDER BY order_id", want: "1|120.00|2024-03-01T10:00:00.000Z\n2|80.50|2024-03-02T11:30:00.000Z\n3|42.00|2024-03-03T09:15:00.000Z", types: "BIGINT|DECIMAL(10,2)|TIMESTAMP"},
	{sql: "DESCRIBE TABLE sales.crm.orders", want: "-", has: []string{"# Clustering Information||", "customer_id|bigint|NULL", "ordered_at|timestamp|NULL"}},
	{sql: "CREATE TABLE sales.crm.big_orders AS SELECT order_id, amount FROM sales.crm.orders WHERE amount > 50", want: ""},
	{sql: "SELECT count(*) FROM sales.crm.big_orders", want: "2", cols: "count(1)", types: "BIGINT"},
	{sql: "CREATE VIEW sales.crm.open_orders COMMENT 'Open orders' AS SELECT order_id, customer_id, amount FROM sales.crm.orders WHERE status = 'open'", want: ""},
	{sql: "SELECT order_id FROM sales.crm.open_orders ORDER BY 1", want: "1\n3"},
	{sql: "SHOW VIEWS IN sales.crm", want: "crm|open_orders|false|false", cols: "namespace|viewName|isTemporary|isMaterialized"},
	{sql: "SHOW TABLES IN sales.crm LIKE '*orders'", want: "crm|big_orders|false\ncrm|open_orders|false\ncrm|orders|false"},
	{sql: "CREATE OR REPLACE VIEW sales.crm.open_orders AS SELECT order_id FROM sales.crm.orders WHERE status = 'open'", want: ""},
	{sql: "SELECT view_definition FROM sales.information_schema.views WHERE table_name = 'open_orders'", want: "SELECT order_id FROM sales.crm.orders WHERE status = 'open'"},
	{sql: "DROP TABLE sales.crm.open_orders", err: "WRONG_COMMAND_FOR_OBJECT_TYPE"},
	{sql: "DROP VIEW sales.crm.orders", err: "WRONG_COMMAND_FOR_OBJECT_TYPE"},
	{sql: "INSERT INTO sales.crm.open_orders VALUES (9)", err: "EXPECT_TABLE_NOT_VIEW"},
	{sql: "INSERT OVERWRITE sales.crm.big_orders SELECT order_id, amount FROM sales.crm.orders", want: "3|3"},
	{sql: "SELECT count(*) FROM sales.crm.big_orders", want: "3"},
	{sql: `MERGE INTO sales.crm.customers AS t
USING (SELECT 2 AS id, 'Grace Hopper' AS name UNION ALL SELECT 5, 'Margaret') AS s
ON t.id = s.id
WHEN MATCHED THEN UPDATE SET t.name = s.name
WHEN NOT MATCHED THEN INSERT (id, name, region) VALUES (s.id, s.name, 'APAC')`,
		want: "2|1|0|1", cols: "num_affected_rows|num_updated_rows|num_deleted_rows|num_inserted_rows", types: "BIGINT|BIGINT|BIGINT|BIGINT"},
	{sql: "MERGE INTO sales.crm.customers t USING sales.crm.customers s ON t.id = s.id WHEN MATCHED AND s.id = 5 THEN DELETE", want: "1|0|1|0"},
	{sql: "SELECT id, name, region FROM sales.crm.customers ORDER BY id", want: "1|Ada|EMEA\n2|Grace Hopper|AMER"},
	{sql: "TRUNCATE TABLE sales.crm.big_orders", want: ""},
	{sql: "SELECT count(*) FROM sales.crm.big_orders", want: "0"},
	{sql: "WITH totals AS (SELECT customer_id, sum(amount) AS total FROM sales.crm.orders GROUP BY customer_id) INSERT INTO sales.crm.big_orders SELECT customer_id, total FROM totals", want: "2|2"},
	{sql: "ALTER TABLE sales.crm.big_orders RENAME TO sales.crm.large_orders", want: ""},
	{sql: "SELECT order_id, amount FROM sales.crm.large_orders ORDER BY order_id", want: "1|200.50\n2|42.00"},
	{sql: "SELECT * FROM sales.crm.big_orders", err: "TABLE_OR_VIEW_NOT_FOUND"},
	{sql: "DROP TABLE IF EXISTS sales.crm.nope", want: ""},
	{sql: "DROP TABLE sales.crm.nope", err: "TABLE_OR_VIEW_NOT_FOUND"},
	{sql: "DROP SCHEMA sales.crm", err: "SCHEMA_NOT_EMPTY"},
	{sql: "DROP CATALOG sales", err: "CATALOG_NOT_EMPTY"},
	{sql: "CREATE TABLE sales.crm.bad (a FOOBAR)", err: "UNSUPPORTED_DATATYPE"},
	{sql: "CREATE TABLE local_events (id INT, kind STRING) USING PARQUET", want: ""},
	{sql: "DESCRIBE TABLE EXTENDED local_events", want: "-", has: []string{"Provider|parquet|", "Catalog|main|"}},
	{sql: "INSERT INTO local_events VALUES (1, 'click')", want: "1|1"},
	{sql: "SELECT kind FROM main.default.local_events", want: "click"},

	// Grants, kept in a privileges store and shown with Databricks' columns.
	{sql: "GRANT USE CATALOG ON CATALOG sales TO `analysts`", want: ""},
	{sql: "GRANT USE SCHEMA, SELECT ON SCHEMA sales.crm TO `analysts`", want: ""},
	{sql: "GRANT SELECT ON TABLE sales.crm.orders TO `alice@example.com`", want: ""},
	{sql: "GRANT MODIFY ON sales.crm.orders TO etl", want: ""},
	{sql: "SHOW GRANTS ON TABLE sales.crm.orders", cols: "principal|ActionType|ObjectType|ObjectKey",
		want: "alice@example.com|SELECT|TABLE|sales.crm.orders\nanalysts|SELECT|SCHEMA|sales.crm\nanalysts|USE SCHEMA|SCHEMA|sales.crm\nanalysts|USE CATALOG|CATALOG|sales\netl|MODIFY|TABLE|sales.crm.orders"},
	{sql: "SHOW GRANTS `analysts` ON SCHEMA sales.crm", want: "analysts|SELECT|SCHEMA|sales.crm\nanalysts|USE SCHEMA|SCHEMA|sales.crm\nanalysts|USE CATALOG|CATALOG|sales"},
	{sql: "SHOW GRANTS ON CATALOG sales", want: "analysts|USE CATALOG|CATALOG|sales"},
	{sql: "REVOKE SELECT ON TABLE sales.crm.orders FROM `alice@example.com`", want: ""},
	{sql: "SHOW GRANTS `alice@example.com` ON TABLE sales.crm.orders", want: ""},
	{sql: "GRANT SELECT ON TABLE sales.crm.nope TO `analysts`", err: "TABLE_OR_VIEW_NOT_FOUND"},
	{sql: "GRANT SELECT ON SCHEMA sales.nope TO `analysts`", err: "SCHEMA_NOT_FOUND"},
	{sql: "GRANT USE CATALOG ON CATALOG nope TO `analysts`", err: "NO_SUCH_CATALOG_EXCEPTION"},
	{sql: "GRANT USE CATALOG ON TABLE sales.crm.orders TO `analysts`", err: "INVALID_PARAMETER_VALUE"},
	{sql: "GRANT FLY ON CATALOG sales TO `analysts`", err: "INVALID_PARAMETER_VALUE"},
	{sql: "SELECT grantee, table_name, privilege_type FROM sales.information_schema.table_privileges ORDER BY grantee", want: "etl|orders|MODIFY"},
	{sql: "GRANT ALL PRIVILEGES ON TABLE local_events TO `data-eng`", want: ""},
	{sql: "SHOW GRANTS ON local_events", want: "data-eng|ALL PRIVILEGES|TABLE|main.default.local_events"},
	{sql: "REVOKE ALL PRIVILEGES ON SCHEMA sales.crm FROM `analysts`", want: ""},
	{sql: "SHOW GRANTS `analysts` ON SCHEMA sales.crm", want: "analysts|USE CATALOG|CATALOG|sales"},

	// samples is read-only, as on Databricks.
	{sql: "SELECT count(*) FROM samples.nyctaxi.trips", want: "100"},
	{sql: "SHOW TABLES IN samples.nyctaxi", want: "nyctaxi|trips|false"},
	{sql: "INSERT INTO samples.nyctaxi.trips SELECT * FROM samples.nyctaxi.trips LIMIT 1", err: "INSUFFICIENT_PERMISSIONS"},
	{sql: "DELETE FROM samples.nyctaxi.trips", err: "INSUFFICIENT_PERMISSIONS"},
	{sql: "UPDATE samples.nyctaxi.trips SET fare_amount = 0", err: "INSUFFICIENT_PERMISSIONS"},
	{sql: "CREATE TABLE samples.nyctaxi.copy AS SELECT 1 AS x", err: "INSUFFICIENT_PERMISSIONS"},
	{sql: "DROP TABLE samples.nyctaxi.trips", err: "INSUFFICIENT_PERMISSIONS"},
	{sql: "CREATE SCHEMA samples.mine", err: "INSUFFICIENT_PERMISSIONS"},
	{sql: "GRANT SELECT ON TABLE samples.nyctaxi.trips TO `analysts`", err: "INSUFFICIENT_PERMISSIONS"},
	{sql: "SELECT table_name, table_type FROM system.information_schema.tables WHERE table_catalog = 'samples'", want: "trips|MANAGED"},

	// Expressions.
	{sql: "SELECT 1, 1.5, count(*), 'x', CAST(2 AS DECIMAL(10,2)) AS d", cols: "1|1.5|count(1)|x|d", types: "INT|DECIMAL(2,1)|BIGINT|STRING|DECIMAL(10,2)", want: "1|1.5|1|x|2.00"},
	{sql: "SELECT count(*) FROM IDENTIFIER('samples.nyctaxi.trips')", want: "100"},
	{sql: "SELECT count(*) FROM IDENTIFIER(:tbl)", params: []string{"tbl=samples.nyctaxi.trips"}, want: "100"},
	{sql: "SELECT IDENTIFIER(:col) FROM sales.crm.orders WHERE order_id = 1", params: []string{"col=status"}, want: "open"},
	{sql: "SELECT count(*) FROM IDENTIFIER(:tbl)", params: []string{"tbl=samples.nyctaxi.trips; DROP TABLE x"}, err: "INVALID_IDENTIFIER"},
	{sql: "SELECT array(1, 2, 3) AS a, size(array(1, 2, 3)) AS n, array_contains(array(1, 2), 2) AS has", want: "[1,2,3]|3|true", types: "ARRAY<INT>|INT|BOOLEAN"},
	{sql: "SELECT map('k', 1, 'j', 2) AS m, size(map('k', 1)) AS n, map_keys(map('k', 1)) AS keys", want: `{"k":1,"j":2}|1|["k"]`, types: "MAP<STRING, INT>|INT|ARRAY<STRING>"},
	{sql: "SELECT named_struct('a', 1, 'b', 'x') AS s, struct(1 AS id, 'y' AS tag) AS t", want: `{"a":1,"b":"x"}|{"id":1,"tag":"y"}`, types: "STRUCT<a: INT, b: STRING>|STRUCT<id: INT, tag: STRING>"},
	{sql: "SELECT customer_id, array_sort(collect_list(order_id)) AS ids, array_sort(collect_set(status)) AS statuses FROM sales.crm.orders GROUP BY customer_id ORDER BY customer_id", want: "1|[1,2]|[\"open\",\"shipped\"]\n2|[3]|[\"open\"]"},
	{sql: "SELECT explode(array(10, 20)) AS v", want: "10\n20"},
	{sql: "SELECT nvl(NULL, 'x'), ifnull(NULL, 2), coalesce(NULL, NULL, 3), nvl2(NULL, 'a', 'b')", want: "x|2|3|b"},
	{sql: "SELECT date_format(DATE '2024-03-05', 'yyyy/MM/dd') AS a, date_format(TIMESTAMP '2024-03-05 14:07:09', 'dd MMM yyyy HH:mm:ss') AS b", want: "2024/03/05|05 Mar 2024 14:07:09"},
	{sql: "SELECT to_date('2024-03-05') AS a, to_date('05/03/2024', 'dd/MM/yyyy') AS b", want: "2024-03-05|2024-03-05", types: "DATE|DATE"},
	{sql: "SELECT date_add(DATE '2024-02-28', 2) AS a, datediff(DATE '2024-03-05', DATE '2024-03-01') AS b, date_sub(DATE '2024-03-01', 1) AS c", want: "2024-03-01|4|2024-02-29", types: "DATE|INT|DATE"},
	{sql: "SELECT current_user(), current_catalog(), current_schema()", ns: "sales.crm", want: "emulator@example.com|sales|crm", cols: "current_user()|current_catalog()|current_schema()"},
	{sql: `SELECT concat_ws('-', 'a', NULL, 'b') AS a, split('a,b,,c', ',') AS b, regexp_extract('order-42-x', r'order-(\d+)', 1) AS c`, want: `a-b|["a","b","","c"]|42`},
	{sql: `SELECT get_json_object('{"a":{"b":[1,2]}}', '$.a.b[1]') AS a, to_json(named_struct('a', 1, 'b', array('x'))) AS b`, want: `2|{"a":1,"b":["x"]}`},
	{sql: "SELECT '42'::INT + 1 AS a, CAST('3.5' AS DOUBLE) AS b, 7::STRING AS c", want: "43|3.5|7", types: "INT|DOUBLE|STRING"},
	{sql: "SELECT upper(name) FROM sales.crm.customers WHERE id = 1", want: "ADA", cols: "upper(name)"},
	{sql: "SELECT id FROM sales.crm.customers WHERE name = :n", params: []string{"n=Ada"}, want: "1"},
	{sql: "SELECT date_add(:d, 1) AS next", params: []string{"d:DATE=2024-01-01"}, want: "2024-01-02"},
	{sql: "SELECT pickup_zip, count(*) AS trips FROM samples.nyctaxi.trips GROUP BY pickup_zip HAVING count(*) > 100", want: ""},
	{sql: "SELECT o.order_id, c.name FROM sales.crm.orders o JOIN sales.crm.customers c ON o.customer_id = c.id WHERE o.amount > :min ORDER BY o.order_id", params: []string{"min:DECIMAL(10,2)=50"}, want: "1|Ada\n2|Ada"},
	{sql: "SELECT * FROM range(3)", want: "0\n1\n2", cols: "id", types: "BIGINT"},
	{sql: "SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(n, s) ORDER BY n", want: "1|a\n2|b", cols: "n|s"},
	{sql: "VALUES (1, 'a')", want: "1|a", cols: "col1|col2"},
	{sql: "SELECT o.order_id, x FROM sales.crm.orders o LATERAL VIEW explode(array(1, 2)) e AS x WHERE o.order_id = 1 ORDER BY x", want: "1|1\n1|2"},
	{sql: "SELECT * EXCEPT (status, ordered_at) FROM sales.crm.orders WHERE order_id = 3", want: "3|2|42.00"},
	{sql: "SELECT 'Ada' RLIKE '^A' AS a, 'Ada' NOT RLIKE 'z' AS b", want: "true|true"},
	{sql: "SELECT array(1, 2, 3)[0] AS a, map('k', 'v')['k'] AS b, element_at(array(1, 2, 3), -1) AS c", want: "1|v|3"},
	{sql: "SELECT if(1 > 0, 'yes', 'no') AS a, CASE WHEN 2 > 1 THEN 'a' ELSE 'b' END AS b", want: "yes|a"},
	{sql: "SELECT round(2.345, 2) AS a, abs(-3) AS b, floor(2.7) AS c, ceil(2.1) AS d", want: "2.35|3|2|3"},
	{sql: "SELECT transform(array(1, 2, 3), x -> x * 10) AS a, filter(array(1, 2, 3), x -> x > 1) AS b", want: "[10,20,30]|[2,3]"},
	{sql: "SELECT year(DATE '2024-03-05') AS y, month(DATE '2024-03-05') AS m, dayofweek(DATE '2024-03-03') AS d", want: "2024|3|1", types: "INT|INT|INT"},
	{sql: "SELECT sequence(1, 3) AS a, array_join(array('a', 'b'), '+') AS b, array_distinct(array(3, 1, 3, 2)) AS c", want: "[1,2,3]|a+b|[3,1,2]"},
	{sql: "SELECT timestampadd(SECOND, 90, TIMESTAMP '2024-03-15 12:00:00') AS a, timestampdiff(HOUR, TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-02 06:00:00') AS b, datediff(DAY, DATE '2024-01-01', DATE '2024-01-31') AS c", want: "2024-03-15T12:01:30.000Z|30|30", types: "TIMESTAMP|BIGINT|BIGINT"},
	{sql: "SELECT timestampadd(FORTNIGHT, 1, current_timestamp())", err: "INVALID_PARAMETER_VALUE.DATETIME_UNIT"},
	{sql: "SELECT 7 DIV 2 AS a, 7 % 3 AS b, 2 <=> NULL AS c, NULL <=> NULL AS d", want: "3|1|false|true"},
	{sql: "SELECT sum(amount) AS total, min(amount) AS least, max(ordered_at) AS last FROM sales.crm.orders", want: "242.50|42.00|2024-03-03T09:15:00.000Z"},
	{sql: "SELECT customer_id, row_number() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS rn FROM sales.crm.orders ORDER BY customer_id, rn", want: "1|1\n1|2\n2|1"},
	{sql: "SELECT concat('a', NULL) AS a, concat('a', 'b') AS b, lpad('7', 3, '0') AS c", want: "NULL|ab|007"},

	// Refusals: one statement per request, DuckDB's own SQL refused as
	// Databricks refuses it, and what the emulator does not emulate named.
	{sql: "SELECT 1; SELECT 2", err: "PARSE_SYNTAX_ERROR"},
	{sql: "SELECT * FROM read_csv('/etc/passwd')", err: "UNRESOLVED_ROUTINE"},
	{sql: "SELECT list_value(1, 2)", err: "UNRESOLVED_ROUTINE"},
	{sql: "SELECT * FROM duckdb_tables()", err: "UNRESOLVED_ROUTINE"},
	{sql: "COPY (SELECT 1) TO '/tmp/x.csv'", err: "PARSE_SYNTAX_ERROR"},
	{sql: "ATTACH ':memory:' AS x", err: "PARSE_SYNTAX_ERROR"},
	{sql: "INSTALL httpfs", err: "PARSE_SYNTAX_ERROR"},
	{sql: "PRAGMA database_list", err: "PARSE_SYNTAX_ERROR"},
	{sql: "SELECT {'a': 1}", err: "PARSE_SYNTAX_ERROR"},
	{sql: "SELECT [1, 2]", err: "PARSE_SYNTAX_ERROR"},
	{sql: "SELECT * FROM `emulator$meta`.main.catalogs", err: "TABLE_OR_VIEW_NOT_FOUND"},
	{sql: "SELECT * FROM memory.main.grants", err: "TABLE_OR_VIEW_NOT_FOUND"},
	{sql: "OPTIMIZE sales.crm.orders", err: "EMULATOR_UNSUPPORTED.STATEMENT"},
	{sql: "COPY INTO sales.crm.orders FROM '/tmp/x' FILEFORMAT = CSV", err: "EMULATOR_UNSUPPORTED.STATEMENT"},
	{sql: "CREATE FUNCTION f() RETURNS INT RETURN 1", err: "EMULATOR_UNSUPPORTED.STATEMENT"},
	{sql: "SELECT from_json('{\"a\":1}', 'a INT')", err: "EMULATOR_UNSUPPORTED.FUNCTION"},
	{sql: "SELECT * FROM sales.crm.orders VERSION AS OF 1", err: "EMULATOR_UNSUPPORTED.CLAUSE"},
	{sql: "CREATE TEMPORARY VIEW v AS SELECT 1", err: "EMULATOR_UNSUPPORTED.CLAUSE"},
	{sql: "DESCRIBE HISTORY sales.crm.orders", err: "EMULATOR_UNSUPPORTED.STATEMENT"},
	{sql: "SET spark.sql.ansi.enabled = true", want: "spark.sql.ansi.enabled|true", cols: "key|value"},
	{sql: "SET enable_external_access = true", err: "CONFIG_NOT_AVAILABLE"},
	{sql: "SELECT :missing", err: "UNBOUND_SQL_PARAMETER"},
	{sql: "SELECT nope FROM sales.crm.orders", err: "UNRESOLVED_COLUMN"},
	{sql: "SELEC 1", err: "PARSE_SYNTAX_ERROR"},

	// And away again.
	{sql: "DROP SCHEMA sales.crm CASCADE", want: ""},
	{sql: "SHOW SCHEMAS IN sales", want: "default\ninformation_schema"},
	{sql: "DROP CATALOG sales CASCADE", want: ""},
	{sql: "SHOW CATALOGS", want: "main\nsamples\nsystem"},
	{sql: "DROP CATALOG IF EXISTS sales", want: ""},
	{sql: "SELECT * FROM sales.crm.orders", err: "TABLE_OR_VIEW_NOT_FOUND"},
	{sql: "SELECT count(*) FROM system.information_schema.table_privileges WHERE table_catalog = 'sales'", want: "0"},
}

// TestDatabricksDialect runs the statements users write against Databricks
// and checks each answer: the rows, the column names and types, or the
// error class.
func TestDatabricksDialect(t *testing.T) {
	t.Parallel()
	if len(dialectCases) < 120 {
		t.Fatalf("only %d statements", len(dialectCases))
	}
	s := start(t, Options{SampleTrips: 100})
	for i, c := range dialectCases {
		extra := map[string]any{}
		if c.ns != "" {
			catalog, schema, _ := strings.Cut(c.ns, ".")
			extra["catalog"], extra["schema"] = catalog, schema
		}
		if len(c.params) > 0 {
			var ps []any
			for _, p := range c.params {
				nameType, value, _ := strings.Cut(p, "=")
				name, typ, _ := strings.Cut(nameType, ":")
				ps = append(ps, map[string]any{"name": name, "value": value, "type": typ})
			}
			extra["parameters"] = ps
		}
		st := query(t, s, c.sql, extra)
		label := fmt.Sprintf("#%d %s", i, strings.Join(strings.Fields(c.sql), " "))
		if c.err != "" {
			if st.Status.State != statementFailed || st.Status.Error == nil || !strings.HasPrefix(st.Status.Error.Message, "["+c.err) {
				t.Errorf("%s:\n  got %s %+v\n want FAILED [%s]", label, st.Status.State, st.Status.Error, c.err)
			}
			continue
		}
		if st.Status.State != statementSucceeded {
			t.Errorf("%s:\n  got %s %+v", label, st.Status.State, st.Status.Error)
			continue
		}
		rows := cells(st.Result)
		got := make([]string, len(rows))
		for k, r := range rows {
			got[k] = strings.Join(r, "|")
		}
		if c.want != "-" && strings.Join(got, "\n") != c.want {
			t.Errorf("%s:\n  got rows  %q\n want rows %q", label, strings.Join(got, "\n"), c.want)
		}
		for _, h := range c.has {
			if !containsString(got, h) {
				t.Errorf("%s: no row %q in %q", label, h, got)
			}
		}
		var names, types []string
		for _, col := range st.Manifest.Schema.Columns {
			names, types = append(names, col.Name), append(types, col.TypeText)
		}
		if c.cols != "" && strings.Join(names, "|") != c.cols {
			t.Errorf("%s: columns %q, want %q", label, strings.Join(names, "|"), c.cols)
		}
		if c.types != "" && strings.Join(types, "|") != c.types {
			t.Errorf("%s: types %q, want %q", label, strings.Join(types, "|"), c.types)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// FuzzStatement runs arbitrary text through the whole statement path (the
// DDL, grant and SHOW handlers too) on one emulator: any text gets a verdict,
// and no statement makes the emulator fail on itself (a recovered panic).
func FuzzStatement(f *testing.F) {
	for _, c := range dialectCases {
		f.Add(c.sql)
	}
	e, err := New(Options{SampleTrips: 10})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = e.Close() })
	f.Fuzz(func(t *testing.T, sql string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := e.runSQL(ctx, executePlan{sql: sql, params: map[string]parameter{"p": {name: "p", cast: "VARCHAR", value: ptr("x")}}})
		if err != nil && strings.Contains(classifyDuckDBError(err).text, "bug in the emulator") {
			t.Fatalf("%q: the emulator failed on itself", sql)
		}
	})
}

// TestTruncatedStatements: every statement of the dialect table, cut after
// each of its tokens, gets a verdict: a result or a failure with an error
// class, never the emulator failing on itself.
func TestTruncatedStatements(t *testing.T) {
	t.Parallel()
	e, err := New(Options{SampleTrips: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	params := map[string]parameter{"region": {name: "region", cast: "VARCHAR", value: ptr("EMEA")}}
	for _, c := range dialectCases {
		toks, err := lex(c.sql)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range toks[1:] {
			prefix := c.sql[:tk.pos]
			if _, err := e.runSQL(context.Background(), executePlan{sql: prefix, params: params}); err != nil {
				if f := classifyDuckDBError(err); strings.Contains(f.text, "bug in the emulator") {
					t.Errorf("%q: %v", prefix, err)
				}
			}
		}
	}
}
