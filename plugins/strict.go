package plugins

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

var (
	yamlUnmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkKnownFields walks n alongside the Go type of v and reports the first
// mapping key that has no field to land in. yaml.Node.Decode has no strict
// mode, and re-encoding the node to use yaml.Decoder.KnownFields would lose
// the line numbers of the original file.
func checkKnownFields(n *yaml.Node, v any, path string) error {
	return checkNode(n, reflect.TypeOf(v), path)
}

func checkNode(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(yamlUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return checkLeaf(n, t, path) // the type decodes itself
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields, open := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if key.Value == "<<" {
				continue // merge key: its fields are checked where the anchor is decoded
			}
			ft, ok := fields[key.Value]
			if !ok {
				if open {
					continue
				}
				return FieldErrorf(joinPath(path, key.Value), "unknown field (line %d)", key.Line)
			}
			if err := checkNode(val, ft, joinPath(path, key.Value)); err != nil {
				return err
			}
		}
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			if err := checkNode(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkNode(n.Content[i+1], t.Elem(), joinPath(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	default:
		return checkLeaf(n, t, path)
	}
	return nil
}

// checkLeaf decodes a scalar (or a node of the wrong kind) on its own, so
// that a wrong type is reported by its field, e.g. `slow_mode: cannot use
// "soon" as a time.Duration (line 4)`, not only by its line.
func checkLeaf(n *yaml.Node, t reflect.Type, path string) error {
	if path == "" || t.Kind() == reflect.Interface {
		return nil
	}
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		if _, ok := errors.AsType[*yaml.TypeError](err); ok || n.Kind != yaml.ScalarNode {
			what := n.Value
			if n.Kind != yaml.ScalarNode {
				what = map[yaml.Kind]string{yaml.SequenceNode: "a list", yaml.MappingNode: "a mapping"}[n.Kind]
				return FieldErrorf(path, "cannot use %s as %s (line %d)", what, typeName(t), n.Line)
			}
			return FieldErrorf(path, "cannot use %q as %s (line %d)", what, typeName(t), n.Line)
		}
		return FieldErrorf(path, "%v (line %d)", err, n.Line)
	}
	return nil
}

// typeName names t for an admin: "a duration like 30s", "a number" …
func typeName(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[time.Duration]():
		return "a duration like 30s"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "a whole number"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return "a list"
	case t.Kind() == reflect.Map || t.Kind() == reflect.Struct:
		return "a mapping"
	}
	return t.String()
}

// yamlFields maps the YAML keys of struct t to field types, following
// yaml.v3's rules (tag name, else the lower-cased field name; ",inline").
// open is true when an inline map accepts any key.
func yamlFields(t reflect.Type) (fields map[string]reflect.Type, open bool) {
	fields = make(map[string]reflect.Type)
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Map {
				open = true
				continue
			}
			inner, innerOpen := yamlFields(ft)
			for k, v := range inner {
				fields[k] = v
			}
			open = open || innerOpen
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields, open
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
