package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// configure returns server configured for srv, and the value types of its schemas.
func configure(t testing.TB, server tfprotov6.ProviderServer, srv *emulator.Server) *tfprotov6.GetProviderSchemaResponse {
	t.Helper()
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: dynamicValue(t, schemas.Provider.ValueType(), map[string]tftypes.Value{
		"base_url":     tftypes.NewValue(tftypes.String, srv.URL),
		"access_token": tftypes.NewValue(tftypes.String, emulator.DefaultToken),
		"warehouse_id": tftypes.NewValue(tftypes.String, emulator.DefaultWarehouseID),
	})})
	if err != nil || len(configured.Diagnostics) > 0 {
		t.Fatalf("configuring the provider: %v %v", err, configured.Diagnostics)
	}
	return schemas
}

// attribute decodes an encoded object of type typ and returns one of its attributes.
func attribute(t *testing.T, dv *tfprotov6.DynamicValue, typ tftypes.Type, name string) tftypes.Value {
	t.Helper()
	v, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	return attrs[name]
}

// The provider's server sends the rows the framework would have sent, in either form,
// for the data source and the ephemeral resource.
func TestServerSendsTheRowsTheFrameworkWould(t *testing.T) {
	t.Parallel()
	srv, err := emulator.Start(emulator.Options{SampleTrips: -1, RowsPerChunk: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ours, framework := NewServer("test")(), providerserver.NewProtocol6(New("test")())()
	schemas := configure(t, ours, srv)
	configure(t, framework, srv)
	queryType := schemas.DataSourceSchemas[queryTypeName].ValueType()
	const statement = "SELECT i, CAST(i AS DOUBLE) / 7 AS ratio, CAST(i AS DECIMAL(10,2)) / 3 AS price, 'row ' || i AS label, i % 2 = 0 AS even, " +
		"array(i, NULL) AS items, map('k', i) AS m, named_struct('a', i, 'b', 'x') AS s FROM range(40) AS t(i) ORDER BY i"
	read := func(server tfprotov6.ProviderServer, format string) *tfprotov6.ReadDataSourceResponse {
		resp, err := server.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{TypeName: queryTypeName, Config: dynamicValue(t, queryType, map[string]tftypes.Value{
			"statement":     tftypes.NewValue(tftypes.String, statement),
			"result_format": tftypes.NewValue(tftypes.String, format),
		})})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("reading: %v %v", err, resp.Diagnostics)
		}
		return resp
	}
	got, want := attribute(t, sent(t, read(ours, "typed").State), queryType, "rows"), attribute(t, read(framework, "typed").State, queryType, "rows")
	if got.IsNull() || !got.Equal(want) {
		t.Errorf("rows\n%v\nthe framework sends\n%v", got, want)
	}
	gotJSON, wantJSON := attribute(t, sent(t, read(ours, "json").State), queryType, "rows_json"), attribute(t, read(framework, "json").State, queryType, "rows_json")
	if gotJSON.IsNull() || !gotJSON.Equal(wantJSON) {
		t.Errorf("rows_json\n%v\nthe framework sends\n%v", gotJSON, wantJSON)
	}

	ephemeralType := schemas.EphemeralResourceSchemas[queryTypeName].ValueType()
	opened, err := ours.OpenEphemeralResource(context.Background(), &tfprotov6.OpenEphemeralResourceRequest{TypeName: queryTypeName,
		Config: dynamicValue(t, ephemeralType, map[string]tftypes.Value{"statement": tftypes.NewValue(tftypes.String, statement)})})
	if err != nil || len(opened.Diagnostics) > 0 {
		t.Fatalf("opening: %v %v", err, opened.Diagnostics)
	}
	if rows := attribute(t, sent(t, opened.Result), ephemeralType, "rows"); !rows.Equal(want) {
		t.Errorf("the ephemeral rows\n%v\nthe data source's\n%v", rows, want)
	}
}
