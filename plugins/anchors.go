package plugins

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// maxExpandedNodes bounds a document once its aliases are expanded, so a
// few nested anchors cannot blow up into millions of nodes.
const maxExpandedNodes = 100_000

// expandAliases returns doc with every alias replaced by its anchor's
// node and every merge key (<<) folded into its mapping, keys written
// next to it winning over merged ones, as YAML specifies. The parser and
// the plugins then see plain trees, with the line numbers of the file.
func expandAliases(doc *yaml.Node) (*yaml.Node, error) {
	x := expander{}
	out := x.node(doc, 0)
	return out, x.err
}

type expander struct {
	nodes int
	err   error
}

func (x *expander) node(n *yaml.Node, depth int) *yaml.Node {
	if x.err != nil {
		return n
	}
	x.nodes++
	if x.nodes > maxExpandedNodes || depth > 100 {
		x.err = fmt.Errorf("line %d: the document is too large once its aliases are expanded", n.Line)
		return n
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return n
		}
		return x.node(n.Alias, depth+1)
	case yaml.DocumentNode, yaml.SequenceNode:
		out := *n
		out.Anchor = ""
		out.Content = make([]*yaml.Node, len(n.Content))
		for i, c := range n.Content {
			out.Content[i] = x.node(c, depth+1)
		}
		return &out
	case yaml.MappingNode:
		return x.mapping(n, depth)
	}
	out := *n
	out.Anchor = ""
	return &out
}

func (x *expander) mapping(n *yaml.Node, depth int) *yaml.Node {
	out := *n
	out.Anchor = ""
	out.Content = nil
	var merged []*yaml.Node // pairs from merge keys, earliest first
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "") {
			merged = append(merged, x.mergeable(x.node(v, depth+1))...)
			continue
		}
		out.Content = append(out.Content, x.node(k, depth+1), x.node(v, depth+1))
	}
	for i := 0; i+1 < len(merged); i += 2 {
		if !hasKey(out.Content, merged[i].Value) {
			out.Content = append(out.Content, merged[i], merged[i+1])
		}
	}
	return &out
}

// mergeable returns the pairs a merge key brings: a mapping's, or those of
// each mapping in a list (earlier ones win).
func (x *expander) mergeable(v *yaml.Node) []*yaml.Node {
	switch v.Kind {
	case yaml.MappingNode:
		return v.Content
	case yaml.SequenceNode:
		var pairs []*yaml.Node
		for _, m := range v.Content {
			if m.Kind != yaml.MappingNode {
				x.err = fmt.Errorf("line %d: a merge (<<) takes a mapping or a list of mappings", m.Line)
				return nil
			}
			for i := 0; i+1 < len(m.Content); i += 2 {
				if !hasKey(pairs, m.Content[i].Value) {
					pairs = append(pairs, m.Content[i], m.Content[i+1])
				}
			}
		}
		return pairs
	}
	x.err = fmt.Errorf("line %d: a merge (<<) takes a mapping or a list of mappings", v.Line)
	return nil
}

func hasKey(pairs []*yaml.Node, key string) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i].Value == key {
			return true
		}
	}
	return false
}
