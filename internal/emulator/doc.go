// Package emulator is a local stand-in for a Databricks workspace: a real HTTP
// server that speaks the subset of the Databricks REST API this provider uses
// (SCIM Me, the SQL Statement Execution API, SQL warehouses, personal access
// tokens and OAuth) and the Databricks SQL dialect configurations hold, with the
// data in an in-memory DuckDB.
//
// It exists for tests, demos and users' offline CI: the client's unit tests,
// the provider's acceptance tests and `make demo` run against it, and
// cmd/dbsql-emulator serves it; the provider binary never imports it. Where
// the emulator and a real workspace disagree, the emulator is wrong: the wire
// shapes follow internal/databricks/WIRE.md, the SQL follows Databricks' SQL
// reference.
//
// How a statement runs: lexer.go reads it by Databricks' rules and refuses a
// second statement; dialect.go dispatches it. Queries and data changes are
// rendered to DuckDB SQL from tokens (render*.go, functions*.go, sqltypes.go);
// what only Databricks has (catalogs, Delta's DDL, grants, SHOW, DESCRIBE,
// information_schema) is carried out against the metastore (meta.go,
// ddl_*.go, grants.go, introspect.go, infoschema.go). What Databricks would
// refuse is refused with its error class (failures.go, sqlerrors.go); what it
// accepts and the emulator does not emulate fails with EMULATOR_UNSUPPORTED.
// Once the sample data and -load files are in, DuckDB is locked away from the
// machine (lockdown.go).
//
// Results of disposition EXTERNAL_LINKS live on an emulated cloud storage, a second
// listener (Server.StorageURL) that serves presigned links and, like real storage,
// refuses a request carrying an Authorization header or a link past its expiry
// (Options.LinkTTL); see storage.go.
//
// Tests start one per test with Start, point the client at Server.URL with
// DefaultToken, and use the fault switches (AddFault), the request log (Log) and
// the test controls (ExpireResults, ExpireToken, SetWarehouseState, ...) to
// provoke and observe the behaviour they care about.
//
// Besides personal access tokens the workspace speaks OAuth as Databricks does:
// service principals (Options.ServicePrincipals) get access tokens from
// /oidc/v1/token with their secret, or by exchanging a CI's JWT that a
// federation policy trusts (Options.FederationPolicies; Issuer mints such
// tokens and fakes GitHub Actions' ID-token endpoint); a stand-in for Entra ID
// serves Azure service principals. Access tokens expire after
// Options.OAuthTokenLifetime, so that tests can watch clients refresh.
package emulator
