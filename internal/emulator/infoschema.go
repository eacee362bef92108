package emulator

import (
	"context"
	"fmt"
	"strings"
)

// <catalog>.information_schema: each view is a DuckDB table macro over the
// metastore, called with the catalog it is read through ('system' sees every
// catalog). The renderer turns `main.information_schema.tables` into
// "emulator$meta".main.is_tables('main'), so WHERE, joins and aliases work
// as on any table. Columns are Databricks' (its SQL reference, "Information
// schema"), in its order; the ones Databricks documents as always NULL are
// typed NULLs here too.
var informationSchema = map[string]string{
	"catalogs": `SELECT name AS catalog_name, owner AS catalog_owner, comment, created, created_by,
		created AS last_altered, created_by AS last_altered_by
		FROM META.catalogs WHERE c = 'system' OR name = c`,
	// information_schema itself is in every catalog, without a row of its own
	// in the metastore.
	"schemata": `SELECT catalog AS catalog_name, name AS schema_name, owner AS schema_owner, comment, created, created_by,
		created AS last_altered, created_by AS last_altered_by
		FROM META.schemata WHERE c = 'system' OR catalog = c
		UNION ALL
		SELECT name, 'information_schema', 'System user', 'Information schema (auto-created)', created, 'System user', created, 'System user'
		FROM META.catalogs WHERE c = 'system' OR name = c`,
	"tables": `SELECT catalog AS table_catalog, schema AS table_schema, name AS table_name, table_type,
		CASE WHEN table_type = 'VIEW' THEN 'NO' ELSE 'YES' END AS is_insertable_into, 'PRESERVE' AS commit_action,
		owner AS table_owner, comment, created, created_by, created AS last_altered, created_by AS last_altered_by,
		format AS data_source_format, CAST(NULL AS VARCHAR) AS storage_sub_directory, location AS storage_path
		FROM META.tables WHERE c = 'system' OR catalog = c`,
	"views": `SELECT catalog AS table_catalog, schema AS table_schema, name AS table_name, view_text AS view_definition,
		'NONE' AS check_option, 'NO' AS is_updatable, 'NO' AS is_insertable_into, CAST(NULL AS VARCHAR) AS sql_path
		FROM META.tables WHERE table_type = 'VIEW' AND (c = 'system' OR catalog = c)`,
	"columns": `SELECT k.catalog AS table_catalog, k.schema AS table_schema, k.table_name, k.name AS column_name,
		k.position AS ordinal_position, CAST(NULL AS VARCHAR) AS column_default,
		CASE WHEN k.nullable THEN 'YES' ELSE 'NO' END AS is_nullable, k.spark_type AS full_data_type, k.type_name AS data_type,
		CAST(NULL AS INTEGER) AS character_maximum_length, CAST(NULL AS VARCHAR) AS character_octet_length,
		k.numeric_precision, k.numeric_radix AS numeric_precision_radix, k.numeric_scale,
		CASE WHEN k.type_name = 'DATE' THEN 0 WHEN k.type_name LIKE 'TIMESTAMP%' THEN 3 END AS datetime_precision,
		CAST(NULL AS VARCHAR) AS interval_type, CAST(NULL AS INTEGER) AS interval_precision,
		CAST(NULL AS INTEGER) AS maximum_cardinality, 'NO' AS is_identity, CAST(NULL AS VARCHAR) AS identity_generation,
		CAST(NULL AS VARCHAR) AS identity_start, CAST(NULL AS VARCHAR) AS identity_increment,
		CAST(NULL AS VARCHAR) AS identity_maximum, CAST(NULL AS VARCHAR) AS identity_minimum,
		CAST(NULL AS VARCHAR) AS identity_cycle, 'NO' AS is_generated, CAST(NULL AS VARCHAR) AS generation_expression,
		'NO' AS is_system_time_period_start, 'NO' AS is_system_time_period_end,
		CAST(NULL AS VARCHAR) AS system_time_period_timestamp_generation,
		CASE WHEN t.table_type = 'VIEW' THEN 'NO' ELSE 'YES' END AS is_updatable,
		CAST(nullif(list_position(t.partition_columns, k.name), 0) - 1 AS INTEGER) AS partition_index, k.comment
		FROM META.columns k JOIN META.tables t ON t.catalog = k.catalog AND t.schema = k.schema AND t.name = k.table_name
		WHERE c = 'system' OR k.catalog = c`,
	"table_privileges": `SELECT grantor, principal AS grantee, catalog AS table_catalog, schema AS table_schema,
		name AS table_name, privilege AS privilege_type, 'NO' AS is_grantable, 'NONE' AS inherited_from
		FROM META.grants WHERE securable = 'TABLE' AND (c = 'system' OR catalog = c)`,
	"schema_privileges": `SELECT grantor, principal AS grantee, catalog AS catalog_name, schema AS schema_name,
		privilege AS privilege_type, 'NO' AS is_grantable, 'NONE' AS inherited_from
		FROM META.grants WHERE securable = 'SCHEMA' AND (c = 'system' OR catalog = c)`,
	"catalog_privileges": `SELECT grantor, principal AS grantee, catalog AS catalog_name,
		privilege AS privilege_type, 'NO' AS is_grantable, 'NONE' AS inherited_from
		FROM META.grants WHERE securable = 'CATALOG' AND (c = 'system' OR catalog = c)`,
	"information_schema_catalog_name": `SELECT c AS catalog_name`,
}

// informationSchemaReady makes the macros, once, in one batch.
func (e *Emulator) informationSchemaReady(ctx context.Context) error {
	e.meta.infoOnce.Do(func() {
		var b strings.Builder
		for view, body := range informationSchema {
			fmt.Fprintf(&b, "CREATE MACRO %s.main.is_%s(c) AS TABLE %s;\n", metaDB, view, strings.ReplaceAll(body, "META.", metaDB+"."))
		}
		if _, err := e.db.ExecContext(ctx, b.String()); err != nil {
			e.meta.infoErr = fmt.Errorf("emulator: information_schema: %w", err)
		}
	})
	return e.meta.infoErr
}

// informationSchemaRelation is the DuckDB relation a reference to
// <catalog>.information_schema.<view> reads.
func (e *Emulator) informationSchemaRelation(ctx context.Context, catalog, view string) (string, error) {
	if err := e.informationSchemaReady(ctx); err != nil {
		return "", err
	}
	view = strings.ToLower(view)
	if _, ok := informationSchema[view]; !ok {
		return "", tableNotFound(objectName{catalog, "information_schema", view}.String())
	}
	return fmt.Sprintf("%s.main.is_%s(%s)", metaDB, view, duckStringLiteral(catalog)), nil
}
