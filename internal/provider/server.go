package provider

import (
	"bytes"
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/vmihailenco/msgpack/v5"
)

// NewServer returns the provider's protocol 6 server, as main serves it and the tests
// run it: the framework's server, except that dbsql_query's rows reach Terraform encoded
// by the provider (rows_msgpack.go, rows_json.go), written into the state the framework
// encoded with rows left null as it is sent (state_codec.go).
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return &server{ProviderServer: providerserver.NewProtocol6(New(version)())()}
	}
}

// server is the framework's server with dbsql_query's rows put in place.
type server struct {
	tfprotov6.ProviderServer
}

// queryTypeName is the type name of both forms of dbsql_query.
const queryTypeName = "dbsql_query"

func (s *server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	if req.TypeName != queryTypeName {
		return s.ProviderServer.ReadDataSource(ctx, req)
	}
	slot := &encodedRowsSlot{}
	resp, err := s.ProviderServer.ReadDataSource(context.WithValue(ctx, encodedRowsKey{}, slot), req)
	if err == nil && resp != nil && !hasError(resp.Diagnostics) {
		resp.Diagnostics = append(resp.Diagnostics, slot.putInto(resp.State)...)
	}
	return resp, err
}

func (s *server) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	if req.TypeName != queryTypeName {
		return s.ProviderServer.OpenEphemeralResource(ctx, req)
	}
	slot := &encodedRowsSlot{}
	resp, err := s.ProviderServer.OpenEphemeralResource(context.WithValue(ctx, encodedRowsKey{}, slot), req)
	if err == nil && resp != nil && !hasError(resp.Diagnostics) {
		resp.Diagnostics = append(resp.Diagnostics, slot.putInto(resp.Result)...)
	}
	return resp, err
}

// hasError reports whether diags hold an error, after which Terraform uses no state.
func hasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

// encodedRowsKey is the context key of the slot a query leaves its encoded rows in.
type encodedRowsKey struct{}

// encodedRowsSlot carries a query's encoded rows from its Read (or Open) to the server:
// the attribute they go in, null in the state the framework encodes, and their encoding.
type encodedRowsSlot struct {
	attribute   string
	statementID string
	rows        encodedRows
}

// encodedRows is the msgpack encoding of a query's rows, written once every row was read.
type encodedRows interface {
	// size is the length of the encoding; an error if a row is missing, which is a bug.
	size() (int, error)
	// appendParts appends the encoding, after size, as the blocks the rows were read
	// into: nothing is copied.
	appendParts(parts [][]byte) [][]byte
}

// set puts a query's encoded rows in the slot.
func (slot *encodedRowsSlot) set(attribute, statementID string, rows encodedRows) {
	slot.attribute, slot.statementID, slot.rows = attribute, statementID, rows
}

// encodedRowsSlotFrom is the slot of ctx; nil when the framework's server runs without
// this one, and the rows then go through the framework.
func encodedRowsSlotFrom(ctx context.Context) *encodedRowsSlot {
	slot, _ := ctx.Value(encodedRowsKey{}).(*encodedRowsSlot)
	return slot
}

// putInto gives an encoded object, whose rows attribute is null, the rows: to be written
// in place as the object is sent (state_codec.go).
func (slot *encodedRowsSlot) putInto(object *tfprotov6.DynamicValue) []*tfprotov6.Diagnostic {
	if slot.rows == nil || object == nil {
		return nil
	}
	if err := sendWithRows(object, slot.attribute, slot.rows); err != nil {
		return []*tfprotov6.Diagnostic{{
			Severity: tfprotov6.DiagnosticSeverityError,
			Summary:  "Unexpected State Error",
			Detail:   fmt.Sprintf("Setting the %s of statement %s: %v. This is a bug in the provider.", slot.attribute, slot.statementID, err),
		}}
	}
	return nil
}

// nullAttribute is where the value of attribute name starts and ends in the msgpack
// object encoded in in; an error unless the value is there and null.
func nullAttribute(in []byte, name string) (start, end int, err error) {
	r := bytes.NewReader(in)
	dec := msgpack.NewDecoder(r)
	n, err := dec.DecodeMapLen()
	if err != nil {
		return 0, 0, err
	}
	for range n {
		key, err := dec.DecodeString()
		if err != nil {
			return 0, 0, err
		}
		start := len(in) - r.Len()
		if err := dec.Skip(); err != nil {
			return 0, 0, err
		}
		if key != name {
			continue
		}
		end := len(in) - r.Len()
		if end != start+1 || in[start] != 0xc0 {
			return 0, 0, fmt.Errorf("the %s attribute was set already", name)
		}
		return start, end, nil
	}
	return 0, 0, fmt.Errorf("there is no %s attribute", name)
}
