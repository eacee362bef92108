// Package emulator is a local stand-in for a Databricks workspace: a real HTTP
// server that speaks the subset of the Databricks REST API this provider uses
// (SCIM Me, the SQL Statement Execution API, SQL warehouses and personal access
// tokens), with SQL answered by an in-memory DuckDB.
//
// It exists for tests and demos only. The client's unit tests, the provider's
// acceptance tests and `make demo` run against it; the provider binary never
// imports it. Where the emulator and a real workspace disagree, the emulator is
// wrong: the wire shapes follow shared/databricks-wire.md.
//
// Tests start one per test with Start, point the client at Server.URL with
// DefaultToken, and use the fault switches (AddFault), the request log (Log) and
// the test controls (ExpireResults, ExpireToken, SetWarehouseState, ...) to
// provoke and observe the behaviour they care about.
package emulator
