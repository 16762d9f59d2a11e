package spec

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxXMLBodyDepth bounds the nesting XMLValue follows; results nest a handful of levels.
const maxXMLBodyDepth = 64

// xmlNode is one element of a response body: its text, or its child elements in order.
type xmlNode struct {
	name string
	text string
	buf  []byte // text as it arrives: appending to a string would be quadratic
	kids []*xmlNode
}

// XMLValue reads a Format=XML response body into the value its JSON form decodes to, so
// that the response schema can judge it. XML has no types and no arrays, so the schema
// says what each element is (docs/spec-format.md, "XML bodies"):
//   - an object's child elements are its properties;
//   - an array property is every child element of that name, in order, and none at all is
//     an empty array when the property is required (an empty list renders as nothing);
//   - an integer, number or boolean is read from the element's text, and text that is
//     not one stays a string for the schema to refuse;
//   - an element the schema does not describe is kept as text, an object or a list by
//     what it holds, for additionalProperties to judge.
//
// The root element stands for the whole body; its name is not checked here.
func XMLValue(schema *openapi3.Schema, body []byte) (any, error) {
	root, err := parseXMLBody(body)
	if err != nil {
		return nil, err
	}
	return fromXML(schema, root, 0)
}

// CheckXMLResponse checks a Format=XML success body against the action's response schema
// (read as XMLValue reads it), and that its root element is <ActionResponse>. It returns
// nil or a *ResponseError.
func (a *Action) CheckXMLResponse(body []byte) error {
	root, err := parseXMLBody(body)
	if err != nil {
		return &ResponseError{Action: a.Name, Status: 200, Problems: []string{err.Error()}}
	}
	var problems []string
	if root.name != a.Name+"Response" {
		problems = append(problems, fmt.Sprintf("root element <%s>, want <%sResponse>", root.name, a.Name))
	}
	v, err := fromXML(a.Response, root, 0)
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		problems = append(problems, schemaProblems(a.Response.VisitJSON(v, openapi3.MultiErrors(), openapi3.VisitAsResponse()))...)
	}
	if len(problems) == 0 {
		return nil
	}
	return &ResponseError{Action: a.Name, Status: 200, Problems: problems}
}

// parseXMLBody reads the element tree of a body with exactly one root element.
func parseXMLBody(body []byte) (*xmlNode, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the body is not XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, errors.New("the body has more than one root element")
			}
			if len(stack) >= maxXMLBodyDepth {
				return nil, errors.New("the body nests elements too deeply")
			}
			n := &xmlNode{name: t.Name.Local}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			n := stack[len(stack)-1]
			n.text, n.buf = string(n.buf), nil
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				n := stack[len(stack)-1]
				n.buf = append(n.buf, t...)
			}
		}
	}
	if root == nil {
		return nil, errors.New("the body has no root element")
	}
	return root, nil
}

// fromXML converts one element by its schema.
func fromXML(s *openapi3.Schema, n *xmlNode, depth int) (any, error) {
	if depth > maxXMLBodyDepth {
		return nil, errors.New("the body nests elements too deeply")
	}
	switch {
	case s == nil:
		return untypedXML(n), nil
	case isObjectSchema(s):
		return objectFromXML(s, n, depth)
	case s.Type.Is(openapi3.TypeArray):
		return nil, fmt.Errorf("<%s> stands for a list, which XML writes as repeated elements under its parent", n.name)
	}
	if len(n.kids) > 0 {
		return nil, fmt.Errorf("<%s> holds elements where the schema has a single value", n.name)
	}
	text := strings.TrimSpace(n.text)
	switch {
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		if isJSONNumber(text) {
			return json.Number(text), nil
		}
	case s.Type.Is(openapi3.TypeBoolean):
		if text == "true" || text == "false" {
			return text == "true", nil
		}
	}
	return n.text, nil
}

// isJSONNumber reports whether text is a number as JSON writes one (no NaN, no hex).
func isJSONNumber(text string) bool {
	return text != "" && (text[0] == '-' || text[0] >= '0' && text[0] <= '9') && json.Valid([]byte(text))
}

// isObjectSchema reports an object schema, written directly or composed with allOf.
func isObjectSchema(s *openapi3.Schema) bool {
	if s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0 {
		return true
	}
	for _, part := range s.AllOf {
		if part.Value != nil && isObjectSchema(part.Value) {
			return true
		}
	}
	return false
}

// objectParts gathers the properties and required names of an object schema and of the
// schemas it is composed of with allOf.
func objectParts(s *openapi3.Schema, props openapi3.Schemas, required []string) (openapi3.Schemas, []string) {
	for name, ref := range s.Properties {
		if _, ok := props[name]; !ok {
			props[name] = ref
		}
	}
	required = append(required, s.Required...)
	for _, part := range s.AllOf {
		if part.Value != nil {
			props, required = objectParts(part.Value, props, required)
		}
	}
	return props, required
}

func objectFromXML(s *openapi3.Schema, n *xmlNode, depth int) (any, error) {
	if len(n.kids) == 0 && strings.TrimSpace(n.text) != "" {
		return n.text, nil // text where an object belongs: the schema will say so
	}
	props, required := objectParts(s, openapi3.Schemas{}, nil)
	out := map[string]any{}
	groups, order := groupKids(n)
	for _, name := range order {
		group := groups[name]
		ref := props[name]
		if ref == nil || ref.Value == nil {
			out[name] = untypedGroup(group)
			continue
		}
		ps := ref.Value
		if ps.Type.Is(openapi3.TypeArray) {
			var items *openapi3.Schema
			if ps.Items != nil {
				items = ps.Items.Value
			}
			list := make([]any, 0, len(group))
			for _, k := range group {
				v, err := fromXML(items, k, depth+1)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			out[name] = list
			continue
		}
		if len(group) > 1 {
			return nil, fmt.Errorf("<%s> appears %d times under <%s>, where the schema has one value", name, len(group), n.name)
		}
		v, err := fromXML(ps, group[0], depth+1)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	for _, name := range required {
		if ref := props[name]; ref != nil && ref.Value != nil && ref.Value.Type.Is(openapi3.TypeArray) {
			if _, ok := out[name]; !ok {
				out[name] = []any{}
			}
		}
	}
	return out, nil
}

// groupKids gathers an element's children by name, names in the order first seen.
func groupKids(n *xmlNode) (map[string][]*xmlNode, []string) {
	groups := map[string][]*xmlNode{}
	var order []string
	for _, k := range n.kids {
		if _, ok := groups[k.name]; !ok {
			order = append(order, k.name)
		}
		groups[k.name] = append(groups[k.name], k)
	}
	return groups, order
}

// untypedXML is an element the schema does not describe: text, or an object of its
// children.
func untypedXML(n *xmlNode) any {
	if len(n.kids) == 0 {
		return n.text
	}
	out := map[string]any{}
	groups, order := groupKids(n)
	for _, name := range order {
		out[name] = untypedGroup(groups[name])
	}
	return out
}

func untypedGroup(group []*xmlNode) any {
	if len(group) == 1 {
		return untypedXML(group[0])
	}
	list := make([]any, len(group))
	for i, k := range group {
		list[i] = untypedXML(k)
	}
	return list
}
