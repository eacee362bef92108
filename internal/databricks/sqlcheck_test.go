package databricks

import (
	"errors"
	"strings"
	"testing"
)

// readOnlyStatements are statements users write in a data source; CheckReadOnly accepts
// each. The fuzz targets start from them too.
var readOnlyStatements = []string{
	"SELECT 1",
	"select * from trips",
	"  SELECT 1;  ",
	"SELECT 1; -- done",
	"SELECT 1;\n/* trailing */ ;;",
	"SELECT *\r\nFROM t\r\n-- filter\r\nWHERE x = 1",
	"SELECT a FROM t -- a comment without a newline",
	"WITH c AS (SELECT 9 AS x) SELECT x FROM c",
	"with c as (select 1) select * from c",
	"WITH a AS (SELECT 1 AS v), b (x) AS (SELECT v FROM a) SELECT * FROM b",
	"WITH c AS (SELECT (1 + (2 * 3)) AS x FROM (SELECT 1) t WHERE x IN (SELECT 1)) SELECT * FROM c",
	"WITH RECURSIVE r (n) MAX RECURSION LEVEL 10 AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r",
	"WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r",
	"WITH recursive AS (SELECT 1 AS x) SELECT * FROM recursive",
	"WITH c (SELECT 1 AS x) SELECT * FROM c",
	"WITH `my cte` AS (SELECT 1) SELECT * FROM `my cte`",
	"WITH c AS (SELECT 1) (SELECT * FROM c) UNION ALL (SELECT 2)",
	"WITH c AS (SELECT 1) VALUES (1)",
	"WITH c AS (SELECT 1) TABLE c",
	"WITH c AS (SELECT 1 AS a) FROM c SELECT a",
	"WITH c AS (SELECT 1) (WITH d AS (SELECT 2) SELECT * FROM d)",
	"(SELECT 1) UNION ALL (SELECT 2)",
	"((WITH c AS (SELECT 1) SELECT * FROM c))",
	"SELECT ';' AS semi, '--' AS dashes, '/*' AS open, \"*/\" AS close",
	`SELECT 'it\'s; INSERT INTO t VALUES (1)' AS x`,
	"-- INSERT INTO t VALUES (1)\nSELECT 1",
	"/* DROP TABLE t; */ SELECT 1",
	"SELECT 1 /* /* */ ; INSERT INTO t VALUES (1) */", // nested: all of it is one comment
	"SELECT 1 -- note \\\nINSERT INTO t VALUES (1)",   // continued: the INSERT is comment
	"SELECT `a;b` FROM `weird;table` WHERE `it's` = 1",
	`SELECT r'C:\path\' AS p, R"\d+" AS re`,
	`SELECT "double; quoted"`,
	"SELECT 'ünïcødé 日本語' AS 名前",
	"SELECT /*+ BROADCAST(t) */* FROM t",
	"SELECT :param AS p, * FROM t WHERE a = ? AND b = :b::INT",
	"SELECT 1E-5, 1.5D, .5, 1BD, 0x1F, X'1F'",
	"SELECT insert FROM t", // a column named insert
	"SHOW TABLES IN main.default",
	"SHOW GRANTS ON TABLE t",
	"DESCRIBE TABLE EXTENDED t",
	"DESC t",
	"DESCRIBE HISTORY t",
	"EXPLAIN INSERT INTO t VALUES (1)", // EXPLAIN plans it and runs nothing
	"EXPLAIN EXTENDED SELECT 1",
	"LIST 's3://bucket/path'",
	"VALUES (1, 'a'), (2, 'b')",
	"TABLE trips",
	"FROM trips SELECT *",
	"FROM trips t SELECT t.a WHERE t.b > 1 SELECT t.c",
	"FROM (SELECT 1 AS insert) t SELECT *",
}

func TestCheckReadOnlyAccepts(t *testing.T) {
	t.Parallel()
	for _, sql := range readOnlyStatements {
		if err := CheckReadOnly(sql); err != nil {
			t.Errorf("CheckReadOnly(%q) = %v, want nil", sql, err)
		}
	}
}

// bypasses passed the first-keyword check this package replaces; the first three write on
// a real warehouse, the fourth on the emulator.
var bypasses = []string{
	"WITH c AS (SELECT 9 AS x) INSERT INTO t SELECT x FROM c",
	"-- note\rINSERT INTO t SELECT 7",
	"-- note \\\nSELECT 1\nINSERT INTO t VALUES (1)",
	"SELECT 1; INSERT INTO t VALUES (42)",
}

func TestCheckReadOnlyRefuses(t *testing.T) {
	t.Parallel()
	notReadOnly := func(keyword, after string) error { return &NotReadOnlyError{Keyword: keyword, After: after} }
	for _, c := range []struct {
		sql  string
		want error // a sentinel, a *NotReadOnlyError to compare, or a *SyntaxError of any text
	}{
		{bypasses[0], notReadOnly("INSERT", "WITH")},
		{bypasses[1], notReadOnly("INSERT", "")},
		{bypasses[2], notReadOnly("INSERT", "")},
		{bypasses[3], ErrMultipleStatements},

		{"INSERT INTO t VALUES (1)", notReadOnly("INSERT", "")},
		{"update t set a = 1", notReadOnly("UPDATE", "")},
		{"CREATE TABLE t AS SELECT 1", notReadOnly("CREATE", "")},
		{"\u0131nsert \u0131nto t VALUES (1)", notReadOnly("INSERT", "")},
		{"(INSERT INTO t VALUES (1))", notReadOnly("INSERT", "")},
		{"'SELECT'", notReadOnly("", "")},
		{"secret_table", notReadOnly("", "")},
		{"SET x = 1", notReadOnly("SET", "")},
		{"EXECUTE IMMEDIATE 'INSERT INTO t VALUES (1)'", notReadOnly("EXECUTE", "")},
		{"BEGIN SELECT 1; END", notReadOnly("BEGIN", "")},

		{"WITH c AS (SELECT 1) MERGE INTO t USING c ON t.a = c.a WHEN MATCHED THEN DELETE", notReadOnly("MERGE", "WITH")},
		{"WITH c AS (SELECT 1), d AS (SELECT 2) DELETE FROM t", notReadOnly("DELETE", "WITH")},
		{"WITH c (a) AS (SELECT 1) UPDATE t SET a = 1", notReadOnly("UPDATE", "WITH")},
		{"WITH RECURSIVE c AS (SELECT 1) INSERT INTO t SELECT 1", notReadOnly("INSERT", "WITH")},
		{"WITH c AS (SELECT 1) (INSERT INTO t SELECT 1)", notReadOnly("INSERT", "WITH")},
		{"WITH c AS (SELECT 1) \u0131nsert \u0131nto t SELECT 1", notReadOnly("INSERT", "WITH")},
		{"WITH c AS (SELECT 1) /* SELECT */ INSERT INTO t SELECT 1", notReadOnly("INSERT", "WITH")},
		{"WITH c AS (SELECT ')') INSERT INTO t SELECT 1", notReadOnly("INSERT", "WITH")},
		{"WITH c AS (SELECT `)`) INSERT INTO t SELECT 1", notReadOnly("INSERT", "WITH")},
		{"WITH c AS (SELECT 1 -- )\n) INSERT INTO t SELECT 1", notReadOnly("INSERT", "WITH")},
		{"WITH c AS (SELECT 1) WITH d AS (SELECT 2) SELECT 1", notReadOnly("WITH", "WITH")},
		{"WITH c AS (SELECT 1)", notReadOnly("", "WITH")},
		{"WITH c AS SELECT 1", notReadOnly("", "WITH")},
		{"WITH c AS (SELECT 1) d AS (SELECT 2) SELECT 1", notReadOnly("", "WITH")},
		{"(WITH c AS (SELECT 1))", notReadOnly("", "WITH")},

		{"FROM s INSERT INTO t SELECT *", notReadOnly("INSERT", "FROM")},
		{"FROM s SELECT * INSERT OVERWRITE TABLE t SELECT *", notReadOnly("INSERT", "FROM")},
		{"WITH c AS (SELECT 1 AS a) FROM c INSERT INTO t SELECT a", notReadOnly("INSERT", "FROM")},

		{"", ErrEmptyStatement},
		{" \n\t", ErrEmptyStatement},
		{"-- only a comment", ErrEmptyStatement},
		{"/* a */ ; ;", ErrEmptyStatement},

		{"SELECT 1; SELECT 2", ErrMultipleStatements},
		{"SELECT 1;;SELECT 2", ErrMultipleStatements},
		{"; SELECT 1", ErrMultipleStatements},
		{"SELECT 1 -- c\r; INSERT INTO t VALUES (1)", ErrMultipleStatements},
		{"SELECT 1 /* /* */ */ ; INSERT INTO t VALUES (1)", ErrMultipleStatements},
		{"SELECT /*+ X */* FROM t ; INSERT INTO t VALUES (1) -- */", ErrMultipleStatements},
		{`SELECT 1E-5r'\' ; INSERT INTO t VALUES (1) -- '`, ErrMultipleStatements},
		{"SELECT * FROM parquet.file://x/--y ; INSERT INTO t VALUES (1)", ErrMultipleStatements},
		{"SELECT 'a' 'b' ; SELECT 1", ErrMultipleStatements},

		{"SELECT 1 /* never closed", &SyntaxError{}},
		{"SELECT 'never closed", &SyntaxError{}},
		{"SELECT `never closed", &SyntaxError{}},
		{"SELECT $$ it's $$", &SyntaxError{}},
		{"SELECT * FROM t WHERE a = $1", &SyntaxError{}},
		{"WITH c AS (SELECT 1", &SyntaxError{}},
		{"WITH 0 AS(0)(SELECT", &SyntaxError{}},
		{"SELECT (1", &SyntaxError{}},
		{"SELECT 1) FROM (t", &SyntaxError{}},
		{"SELECT ')' FROM t)", &SyntaxError{}},
	} {
		err := CheckReadOnly(c.sql)
		var got *NotReadOnlyError
		var syntax *SyntaxError
		switch want := c.want.(type) {
		case *NotReadOnlyError:
			if !errors.As(err, &got) || *got != *want {
				t.Errorf("CheckReadOnly(%q) = %#v, want %#v", c.sql, err, want)
			}
		case *SyntaxError:
			if !errors.As(err, &syntax) {
				t.Errorf("CheckReadOnly(%q) = %v, want a *SyntaxError", c.sql, err)
			}
		default:
			if !errors.Is(err, want) {
				t.Errorf("CheckReadOnly(%q) = %v, want %v", c.sql, err, want)
			}
		}
		if err != nil && strings.Contains(err.Error(), "t VALUES") {
			t.Errorf("CheckReadOnly(%q): the error quotes the statement: %v", c.sql, err)
		}
	}
}

// The messages name keywords only, and say what to write instead.
func TestNotReadOnlyErrorMessages(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  NotReadOnlyError
		want string
	}{
		{NotReadOnlyError{Keyword: "INSERT"}, "The statement starts with INSERT, which is not read-only. A read-only statement starts with SELECT, WITH, VALUES, TABLE, FROM, SHOW, DESCRIBE, EXPLAIN or LIST."},
		{NotReadOnlyError{}, "The statement does not start with a keyword that reads. A read-only statement starts with SELECT, WITH, VALUES, TABLE, FROM, SHOW, DESCRIBE, EXPLAIN or LIST."},
		{NotReadOnlyError{Keyword: "MERGE", After: "WITH"}, "After its WITH clause the statement does not go on with MERGE, which is not read-only. After WITH name AS (query), a read-only statement goes on with SELECT, VALUES, TABLE, FROM or a query in parentheses."},
		{NotReadOnlyError{After: "WITH"}, "After its WITH clause the statement does not go on with a query. After WITH name AS (query), a read-only statement goes on with SELECT, VALUES, TABLE, FROM or a query in parentheses."},
		{NotReadOnlyError{Keyword: "INSERT", After: "FROM"}, "The statement's FROM clause is followed by INSERT, which writes. A read-only FROM statement goes on with SELECT."},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%#v.Error() =\n%s\nwant\n%s", c.err, got, c.want)
		}
	}
}

func TestCheckStatement(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		sql  string
		want error
	}{
		{"CREATE TABLE t (a INT)", nil},
		{"INSERT INTO t VALUES (1);", nil},
		{"INSERT INTO t VALUES (';')", nil},
		{"BEGIN INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END", nil},
		{"lbl: BEGIN SELECT 1; END;", nil},
		{"CREATE PROCEDURE p() LANGUAGE SQL AS BEGIN SELECT 1; SELECT 2; END", nil},
		{"SET spark.sql.x = a;b", nil},
		{"CREATE FUNCTION f() RETURNS STRING LANGUAGE PYTHON AS $$ return 'a;b' # it's $$", nil},
		{"SELECT 'never closed", nil}, // Databricks says what is wrong with it
		{"SELECT 1 /* never closed", nil},
		{"", ErrEmptyStatement},
		{"-- c", ErrEmptyStatement},
		{"; ;", ErrEmptyStatement},
		{"/* never closed", ErrEmptyStatement},
		{"CREATE TABLE a (x INT); CREATE TABLE b (x INT)", ErrMultipleStatements},
		{"DROP TABLE a;\nDROP TABLE b;", ErrMultipleStatements},
		{"SELECT 1; SELECT 'never closed", ErrMultipleStatements},
		{"SELECT 1; 'never closed", ErrMultipleStatements},
		{"'never closed", nil},
		{"INSERT INTO begin_log VALUES (1); INSERT INTO t VALUES (2)", ErrMultipleStatements},
	} {
		if err := CheckStatement(c.sql); !errors.Is(err, c.want) {
			t.Errorf("CheckStatement(%q) = %v, want %v", c.sql, err, c.want)
		}
	}
}

func TestLeadingKeywords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		sql  string
		n    int
		want string
	}{
		{"CREATE TABLE t (a INT)", 2, "CREATE TABLE"},
		{"create or replace table secret_name (a INT)", 3, "CREATE OR REPLACE"},
		{"create or replace table secret_name (a INT)", 9, "CREATE OR REPLACE TABLE"},
		{"INSERT INTO t VALUES ('hunter2')", 9, "INSERT INTO"},
		{"SELECT 'hunter2'", 3, "SELECT"},
		{"  -- a comment\n(SELECT 1)", 2, "SELECT"},
		{"/* CREATE */ DROP TABLE IF EXISTS t", 9, "DROP TABLE IF EXISTS"},
		{"'hunter2' SELECT", 2, ""},
		{"`SELECT` TABLE", 2, ""},
		{"CREATE TABLE `TABLE`", 3, "CREATE TABLE"},
		{"\u0131nsert \u0131nto t", 2, "INSERT INTO"},
		{"GRANT SELECT ON TABLE t TO `someone@example.com`", 9, "GRANT SELECT ON TABLE"},
		{"ALTER TABLE t SET TBLPROPERTIES ('secret' = 'x')", 9, "ALTER TABLE"},
		{"", 3, ""},
		{"SELECT 1", 0, ""},
		{"SELECT 1", -1, ""},
		{"/* never closed", 2, ""},
	} {
		if got := LeadingKeywords(c.sql, c.n); got != c.want {
			t.Errorf("LeadingKeywords(%q, %d) = %q, want %q", c.sql, c.n, got, c.want)
		}
	}
}
