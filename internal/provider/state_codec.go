package provider

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A query's rows are held once, in the blocks they were read into (row_runs.go), and
// sent from there. The framework encodes the state with the rows attribute null; the
// server (server.go) hands that encoding a placeholder in return, and records the rows
// against it (sendWithRows). The gRPC codec below, which stands in for gRPC's own for
// every message the process sends or receives, writes such a state as the parts it is
// made of: the framework's encoding around the attribute, and the blocks in between.
//
// Joined into one encoded state instead, which gRPC then copied into a buffer of its
// own to send, the rows were held three times over, twice at once at best: for a result
// of 10 MB of JSON that was half of the provider's peak memory (BENCHMARKS.md, "Memory").

// stateWithRows is an encoded object whose rows attribute is written as it is sent.
type stateWithRows struct {
	before, after []byte // the framework's encoding of the object, around the null rows
	rows          encodedRows
	rowsSize      int
}

// statesWithRows is every stateWithRows whose placeholder was not yet collected, by the
// number in its placeholder. An entry goes with its placeholder rather than once sent,
// so that a response encoded twice is whole both times, and one never sent (its call was
// abandoned) leaves nothing behind.
var (
	statesWithRows    sync.Map // uint64 → *stateWithRows
	lastStateWithRows atomic.Uint64
)

// placeholderPrefix starts what an object whose rows are still to be written holds
// instead of its encoding, followed by the number of its stateWithRows. It is not msgpack
// (0xc1 is the one code msgpack never uses), so that anything but the codec reading it
// fails instead of seeing rows that are not there.
const placeholderPrefix = "\xc1 the state with its rows is written by the provider's gRPC codec: "

// sendWithRows makes object, the framework's encoding of an object whose attribute is
// null, be sent with rows in that attribute: the object holds a placeholder from then on.
func sendWithRows(object *tfprotov6.DynamicValue, attribute string, rows encodedRows) error {
	size, err := rows.size()
	if err != nil {
		return err
	}
	start, end, err := nullAttribute(object.MsgPack, attribute)
	if err != nil {
		return err
	}
	state := &stateWithRows{
		before:   slices.Clone(object.MsgPack[:start]),
		after:    slices.Clone(object.MsgPack[end:]),
		rows:     rows,
		rowsSize: size,
	}
	id := lastStateWithRows.Add(1)
	statesWithRows.Store(id, state)
	placeholder := strconv.AppendUint([]byte(placeholderPrefix), id, 10)
	runtime.AddCleanup(&placeholder[0], func(id uint64) { statesWithRows.Delete(id) }, id)
	object.MsgPack = placeholder
	return nil
}

// stateWithRowsOf is the state an encoding is the placeholder of; nil for any other.
func stateWithRowsOf(msgpack []byte) *stateWithRows {
	number, ok := bytes.CutPrefix(msgpack, []byte(placeholderPrefix))
	if !ok {
		return nil
	}
	id, err := strconv.ParseUint(string(number), 10, 64)
	if err != nil {
		return nil
	}
	state, _ := statesWithRows.Load(id)
	s, _ := state.(*stateWithRows)
	return s
}

// dynamicValueName is the protocol's message for an encoded value, which holds the
// msgpack of a state in its msgpack field.
const dynamicValueName protoreflect.FullName = "tfplugin6.DynamicValue"

func init() {
	encoding.RegisterCodecV2(stateCodec{next: encoding.GetCodecV2(grpcproto.Name)})
}

// stateCodec is gRPC's protobuf codec, except for a response whose state holds a
// placeholder: it writes that state with its rows, which it does not copy.
type stateCodec struct {
	next encoding.CodecV2 // gRPC's codec, for everything else
}

func (c stateCodec) Name() string { return grpcproto.Name }

func (c stateCodec) Unmarshal(data mem.BufferSlice, v any) error { return c.next.Unmarshal(data, v) }

func (c stateCodec) Marshal(v any) (mem.BufferSlice, error) {
	if m, ok := v.(proto.Message); ok {
		if field, state := stateWithRowsIn(m.ProtoReflect()); state != nil {
			return marshalWithRows(m.ProtoReflect(), field, state)
		}
	}
	return c.next.Marshal(v)
}

// stateWithRowsIn finds a field of m that holds an encoded value whose rows are still
// to be written. Responses hold their state at their top level.
func stateWithRowsIn(m protoreflect.Message) (protoreflect.FieldDescriptor, *stateWithRows) {
	var (
		found protoreflect.FieldDescriptor
		state *stateWithRows
	)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind || fd.Cardinality() == protoreflect.Repeated || fd.Message().FullName() != dynamicValueName {
			return true
		}
		value := v.Message()
		if msgpack := value.Descriptor().Fields().ByName("msgpack"); msgpack != nil {
			if state = stateWithRowsOf(value.Get(msgpack).Bytes()); state != nil {
				found = fd
				return false
			}
		}
		return true
	})
	return found, state
}

// marshalWithRows encodes m, whose field holds the placeholder of state, as it would
// be with the state's encoding in the placeholder's place: the rest of m, then the
// field, last, which protobuf allows; the field's head, the framework's encoding
// around the rows, and the rows, are parts of their own, the rows as they were read.
func marshalWithRows(m protoreflect.Message, field protoreflect.FieldDescriptor, state *stateWithRows) (mem.BufferSlice, error) {
	value := m.Get(field).Message()
	msgpack := value.Descriptor().Fields().ByName("msgpack")
	placeholder := value.Get(msgpack)

	// The rest of m, and the rest of the value, encoded without the field.
	m.Clear(field)
	rest, err := proto.Marshal(m.Interface())
	value.Clear(msgpack)
	var valueRest []byte
	if err == nil {
		valueRest, err = proto.Marshal(value.Interface())
	}
	value.Set(msgpack, placeholder)
	m.Set(field, protoreflect.ValueOfMessage(value))
	if err != nil {
		return nil, err
	}

	parts := state.rows.appendParts(nil)
	rowsSize := 0
	for _, part := range parts {
		rowsSize += len(part)
	}
	if rowsSize != state.rowsSize {
		return nil, errors.New("provider: the rows are not the size they said, which is a bug")
	}
	size := len(state.before) + rowsSize + len(state.after)
	valueSize := len(valueRest) + protowire.SizeTag(msgpack.Number()) + protowire.SizeBytes(size)
	if valueSize > maxMessageSize {
		return nil, fmt.Errorf("provider: a state of %d bytes is more than the protocol carries", valueSize)
	}

	head := protowire.AppendTag(rest, field.Number(), protowire.BytesType)
	head = protowire.AppendVarint(head, uint64(valueSize))
	head = append(head, valueRest...)
	head = protowire.AppendTag(head, msgpack.Number(), protowire.BytesType)
	head = protowire.AppendVarint(head, uint64(size))
	head = append(head, state.before...)
	data := mem.BufferSlice{mem.SliceBuffer(head)}
	for _, part := range parts {
		if len(part) > 0 {
			data = append(data, mem.SliceBuffer(part))
		}
	}
	return append(data, mem.SliceBuffer(state.after)), nil
}

// maxMessageSize bounds what marshalWithRows writes, so that a length never overflows
// what a receiver reads; gRPC refuses larger messages anyway (Terraform's limit is
// 256 MiB), with an error that names the limit.
const maxMessageSize = 1<<31 - 1
