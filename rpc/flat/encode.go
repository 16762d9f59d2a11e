package flat

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
)

// Encode flattens plain Go values into RPC parameters, the inverse of Decode: maps become
// `Name.Field`, slices `Name.N` from 1, scalars their wire text. nil values and empty slices
// and maps send nothing, like the SDKs. A json-style parameter must be passed as its JSON
// text (a string): Encode cannot know which parameters travel as JSON.
func Encode(obj map[string]any) url.Values {
	out := url.Values{}
	for name, v := range obj {
		encodeValue(out, name, v)
	}
	return out
}

func encodeValue(out url.Values, name string, v any) {
	switch x := v.(type) {
	case nil:
	case string:
		out.Set(name, x)
	case bool:
		out.Set(name, strconv.FormatBool(x))
	case json.Number:
		out.Set(name, x.String())
	case float64:
		out.Set(name, formatFloat(x, 64))
	case float32:
		out.Set(name, formatFloat(float64(x), 32))
	case map[string]any:
		for k, e := range x {
			encodeValue(out, name+"."+k, e)
		}
	case []any:
		for i, e := range x {
			encodeValue(out, name+"."+strconv.Itoa(i+1), e)
		}
	default:
		encodeReflect(out, name, reflect.ValueOf(v))
	}
}

// formatFloat writes integral values without a fraction (40, not 4e+01) so that an integer
// held in a float64, as encoding/json produces, still decodes as an integer.
func formatFloat(f float64, bits int) string {
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// encodeReflect handles the typed ints, slices and string-keyed maps the switch does not.
func encodeReflect(out url.Values, name string, rv reflect.Value) {
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		out.Set(name, strconv.FormatInt(rv.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		out.Set(name, strconv.FormatUint(rv.Uint(), 10))
	case reflect.String:
		out.Set(name, rv.String())
	case reflect.Bool:
		out.Set(name, strconv.FormatBool(rv.Bool()))
	case reflect.Float32, reflect.Float64:
		out.Set(name, formatFloat(rv.Float(), 64))
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len(); i++ {
			encodeValue(out, name+"."+strconv.Itoa(i+1), rv.Index(i).Interface())
		}
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			out.Set(name, fmt.Sprint(rv.Interface()))
			return
		}
		iter := rv.MapRange()
		for iter.Next() {
			encodeValue(out, name+"."+iter.Key().String(), iter.Value().Interface())
		}
	case reflect.Pointer, reflect.Interface:
		if !rv.IsNil() {
			encodeValue(out, name, rv.Elem().Interface())
		}
	default:
		out.Set(name, fmt.Sprint(rv.Interface()))
	}
}
