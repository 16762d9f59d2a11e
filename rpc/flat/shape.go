package flat

// Kind is the type of one node of a parameter's shape.
type Kind uint8

// The kinds a decoded value can have. JSON means the wire value is a JSON text.
const (
	String Kind = iota
	Integer
	Number
	Boolean
	Array
	Object
	JSON
	skipKind // Skip's alone
)

// Skip stands, in a decoder's shapes, for a parameter that is not the decoder's to read:
// a name given exactly is passed over, neither decoded nor reported unknown. Keeping it
// in the same map as the real shapes costs one lookup per name where a separate list
// would cost two.
var Skip = &Shape{Kind: skipKind}

// Shape describes how one parameter decodes: scalars are coerced by Kind, arrays are
// `Name.N` (N from 1) with Elem describing each item, objects are `Name.Field`.
type Shape struct {
	Kind   Kind
	Elem   *Shape            // Array only
	Fields map[string]*Shape // Object only
	// MaxItems bounds the index the decoder accepts for an Array; 0 means Limits.MaxIndex.
	MaxItems int
}
