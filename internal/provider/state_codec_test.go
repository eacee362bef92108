package provider

import (
	"bytes"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// partsRows are encoded rows made of the given parts, which say they are claimed long.
type partsRows struct {
	parts   [][]byte
	claimed int
}

func (p partsRows) size() (int, error)                  { return p.claimed, nil }
func (p partsRows) appendParts(parts [][]byte) [][]byte { return append(parts, p.parts...) }

// splitRows are the encoding of value as rows, in parts of at most three bytes.
func splitRows(t *testing.T, value tftypes.Value) partsRows {
	t.Helper()
	encoded := msgpackOf(t, value, tftypes.DynamicPseudoType)
	rows := partsRows{claimed: len(encoded)}
	for part := range slices.Chunk(encoded, 3) {
		rows.parts = append(rows.parts, part)
	}
	return rows
}

// protocolResponse is an empty message of the plugin protocol's type name, which
// terraform-plugin-go keeps to itself.
func protocolResponse(t testing.TB, name protoreflect.FullName) protoreflect.Message {
	t.Helper()
	typ, err := protoregistry.GlobalTypes.FindMessageByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return typ.New()
}

const readDataSourceResponse protoreflect.FullName = "tfplugin6.ReadDataSource.Response"

// setMsgpack makes field of resp hold an encoded value of msgpack.
func setMsgpack(resp protoreflect.Message, field protoreflect.Name, msgpack []byte) {
	value := resp.Mutable(resp.Descriptor().Fields().ByName(field)).Message()
	value.Set(value.Descriptor().Fields().ByName("msgpack"), protoreflect.ValueOfBytes(msgpack))
}

// holdingState is a ReadDataSource response whose state is state.
func holdingState(t testing.TB, state *tfprotov6.DynamicValue) proto.Message {
	t.Helper()
	resp := protocolResponse(t, readDataSourceResponse)
	setMsgpack(resp, "state", state.MsgPack)
	return resp.Interface()
}

// sentResponse is a ReadDataSource response holding state, as gRPC encodes it to send it:
// through the codec the provider registers (state_codec.go).
func sentResponse(t testing.TB, state *tfprotov6.DynamicValue) mem.BufferSlice {
	t.Helper()
	data, err := encoding.GetCodecV2(grpcproto.Name).Marshal(holdingState(t, state))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sent is the encoded state Terraform receives in a response that holds state.
func sent(t testing.TB, state *tfprotov6.DynamicValue) *tfprotov6.DynamicValue {
	t.Helper()
	resp := protocolResponse(t, readDataSourceResponse)
	if err := proto.Unmarshal(sentResponse(t, state).Materialize(), resp.Interface()); err != nil {
		t.Fatal(err)
	}
	value := resp.Get(resp.Descriptor().Fields().ByName("state")).Message()
	return &tfprotov6.DynamicValue{MsgPack: value.Get(value.Descriptor().Fields().ByName("msgpack")).Bytes()}
}

// joined is an encoding of rows in one piece, checked against its size.
func joined(t testing.TB, rows encodedRows) []byte {
	t.Helper()
	size, err := rows.size()
	if err != nil {
		t.Fatal(err)
	}
	out := bytes.Join(rows.appendParts(nil), nil)
	if len(out) != size {
		t.Fatalf("%d bytes written, size said %d", len(out), size)
	}
	return out
}

var codecObjectType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
	"a": tftypes.String, "rows": tftypes.DynamicPseudoType, "z": tftypes.List{ElementType: tftypes.Number},
}}

// codecObject is the encoding of an object of codecObjectType with rows.
func codecObject(t *testing.T, rows tftypes.Value) []byte {
	return msgpackOf(t, tftypes.NewValue(codecObjectType, map[string]tftypes.Value{
		"a":    tftypes.NewValue(tftypes.String, "before"),
		"rows": rows,
		"z":    tftypes.NewValue(tftypes.List{ElementType: tftypes.Number}, []tftypes.Value{tftypes.NewValue(tftypes.Number, 1)}),
	}))
}

// A state given rows holds a placeholder that nothing but the codec can read, and is sent
// with the rows in place of the null attribute, every time it is encoded.
func TestStateCodecSendsTheRowsInPlace(t *testing.T) {
	t.Parallel()
	value := tftypes.NewValue(tftypes.String, strings.Repeat("spliced ", 5))
	state := &tfprotov6.DynamicValue{MsgPack: codecObject(t, tftypes.NewValue(tftypes.DynamicPseudoType, nil))}
	if err := sendWithRows(state, "rows", splitRows(t, value)); err != nil {
		t.Fatal(err)
	}
	if _, err := state.Unmarshal(codecObjectType); err == nil {
		t.Error("the placeholder reads as a state")
	}
	want := codecObject(t, value)
	for range 2 {
		if got := sent(t, state).MsgPack; !bytes.Equal(got, want) {
			t.Errorf("sent % x\nwant % x", got, want)
		}
	}
}

// The codec writes the state wherever the response holds it, and the rest of the
// response as protobuf would: a response reads back as the one it stands for.
func TestStateCodecKeepsTheRestOfTheResponse(t *testing.T) {
	t.Parallel()
	value := tftypes.NewValue(tftypes.List{ElementType: tftypes.Number}, []tftypes.Value{tftypes.NewValue(tftypes.Number, 7)})
	for name, field := range map[protoreflect.FullName]protoreflect.Name{
		readDataSourceResponse:                     "state",
		"tfplugin6.OpenEphemeralResource.Response": "result",
	} {
		// The response as it is meant, with diagnostics: a field after the state in one
		// response, before it in the other.
		response := func(msgpack []byte) protoreflect.Message {
			resp := protocolResponse(t, name)
			diags := resp.Mutable(resp.Descriptor().Fields().ByName("diagnostics")).List()
			for _, summary := range []string{"first", "second"} {
				diag := diags.NewElement().Message()
				diag.Set(diag.Descriptor().Fields().ByName("summary"), protoreflect.ValueOfString(summary))
				diags.Append(protoreflect.ValueOfMessage(diag))
			}
			setMsgpack(resp, field, msgpack)
			return resp
		}
		object := &tfprotov6.DynamicValue{MsgPack: codecObject(t, tftypes.NewValue(tftypes.DynamicPseudoType, nil))}
		if err := sendWithRows(object, "rows", splitRows(t, value)); err != nil {
			t.Fatal(err)
		}
		data, err := encoding.GetCodecV2(grpcproto.Name).Marshal(response(object.MsgPack).Interface())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := protocolResponse(t, name).Interface()
		if err := proto.Unmarshal(data.Materialize(), got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := response(codecObject(t, value)).Interface(); !proto.Equal(got, want) {
			t.Errorf("%s: sent\n%v\nwant\n%v", name, got, want)
		}
	}
}

// Every other message is gRPC's encoding, byte for byte.
func TestStateCodecLeavesOtherMessagesAlone(t *testing.T) {
	t.Parallel()
	state := &tfprotov6.DynamicValue{MsgPack: codecObject(t, tftypes.NewValue(tftypes.DynamicPseudoType, nil))}
	want, err := proto.Marshal(holdingState(t, state))
	if err != nil {
		t.Fatal(err)
	}
	if got := sentResponse(t, state).Materialize(); !bytes.Equal(got, want) {
		t.Errorf("encoded % x\nwant % x", got, want)
	}
}

// Rows that are not the size they said are refused rather than sent, and so is a state
// whose attribute cannot take them.
func TestStateCodecRefusals(t *testing.T) {
	t.Parallel()
	value := tftypes.NewValue(tftypes.String, "spliced")
	null := codecObject(t, tftypes.NewValue(tftypes.DynamicPseudoType, nil))
	lying := splitRows(t, value)
	lying.claimed++
	state := &tfprotov6.DynamicValue{MsgPack: null}
	if err := sendWithRows(state, "rows", lying); err != nil {
		t.Fatal(err)
	}
	if _, err := encoding.GetCodecV2(grpcproto.Name).Marshal(holdingState(t, state)); err == nil || !strings.Contains(err.Error(), "not the size") {
		t.Errorf("rows of the wrong size: %v", err)
	}

	for name, in := range map[string][]byte{"set already": codecObject(t, value), "malformed": {0x83, 0xa1}, "not a map": {0x90}} {
		if err := sendWithRows(&tfprotov6.DynamicValue{MsgPack: in}, "rows", splitRows(t, value)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := sendWithRows(&tfprotov6.DynamicValue{MsgPack: null}, "nope", splitRows(t, value)); err == nil || !strings.Contains(err.Error(), "no nope attribute") {
		t.Errorf("a missing attribute: %v", err)
	}
}

// The rows of a state that is never sent go once its placeholder does.
func TestStateCodecForgetsAStateNeverSent(t *testing.T) {
	t.Parallel()
	state := &tfprotov6.DynamicValue{MsgPack: codecObject(t, tftypes.NewValue(tftypes.DynamicPseudoType, nil))}
	if err := sendWithRows(state, "rows", splitRows(t, tftypes.NewValue(tftypes.String, "x"))); err != nil {
		t.Fatal(err)
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(string(state.MsgPack), placeholderPrefix), 10, 64)
	if err != nil || stateWithRowsOf(state.MsgPack) == nil {
		t.Fatalf("the state is not known (%v)", err)
	}
	state = nil
	for range 200 {
		runtime.GC()
		if _, known := statesWithRows.Load(id); !known {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Error("the rows of a state that was collected are still held")
}
