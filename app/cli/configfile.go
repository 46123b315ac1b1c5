package cli

import (
	"flag"
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"
)

// configSettings are the settings of a YAML config file.
type configSettings struct {
	path     string
	settings map[string]fileSetting
}

// fileSetting is one key of the file.
type fileSetting struct {
	values []string
	list   bool // given as a YAML list
	line   int
}

// maxConfigBytes bounds the config file, which holds a few dozen settings.
const maxConfigBytes = 1 << 20

// readConfig reads a YAML mapping keyed by the flag names of fs:
//
//	addr: 127.0.0.1:9000
//	max-text: 80
//	allowed-origins: [https://a.example, https://b.example]
//
// An unknown key, a list for a single-valued setting or a nested mapping is
// an error naming the key, the file and the line.
func readConfig(path string, fs *flag.FlagSet) (configSettings, error) {
	cs := configSettings{path: path, settings: map[string]fileSetting{}}
	info, err := os.Stat(path)
	if err != nil {
		return cs, fmt.Errorf("config file: %w", err)
	}
	if info.Size() > maxConfigBytes {
		return cs, fmt.Errorf("config file %s is larger than %d bytes", path, maxConfigBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return cs, fmt.Errorf("config file: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return cs, fmt.Errorf("config file %s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return cs, nil // an empty file sets nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return cs, fmt.Errorf("%s line %d: the file must be a mapping of settings, like \"addr: 127.0.0.1:8080\"", path, root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		name := key.Value
		at := fmt.Sprintf("%s line %d", path, key.Line)
		f := fs.Lookup(name)
		switch {
		case key.Kind != yaml.ScalarNode:
			return cs, fmt.Errorf("%s: setting names must be plain words", at)
		case name == configFlag:
			return cs, fmt.Errorf("%s: %q cannot be set inside the config file", at, name)
		case name == "secret":
			return cs, fmt.Errorf("%s: the secret is read from DANMAKU_SECRET only", at)
		case f == nil || !serverSettings()[name]:
			return cs, fmt.Errorf("%s: unknown setting %q", at, name)
		}
		if prev, dup := cs.settings[name]; dup {
			return cs, fmt.Errorf("%s: %s is set twice (first on line %d)", at, name, prev.line)
		}
		s, err := settingOf(value, f)
		if err != nil {
			return cs, fmt.Errorf("%s: %s %w", at, name, err)
		}
		s.line = key.Line
		cs.settings[name] = s
	}
	return cs, nil
}

// settingOf reads a setting's value node.
func settingOf(value *yaml.Node, f *flag.Flag) (fileSetting, error) {
	if value.Kind == yaml.AliasNode {
		value = value.Alias
	}
	_, isList := f.Value.(listValue)
	switch {
	case value.Kind == yaml.ScalarNode && value.Tag == "!!null":
		return fileSetting{}, fmt.Errorf("has no value")
	case value.Kind == yaml.ScalarNode:
		return fileSetting{values: []string{value.Value}}, nil
	case value.Kind == yaml.SequenceNode && isList:
		s := fileSetting{values: []string{}, list: true}
		for _, item := range value.Content {
			if item.Kind != yaml.ScalarNode {
				return fileSetting{}, fmt.Errorf("must be a list of plain values")
			}
			s.values = append(s.values, item.Value)
		}
		return s, nil
	case value.Kind == yaml.SequenceNode:
		return fileSetting{}, fmt.Errorf("takes one value, not a list")
	}
	return fileSetting{}, fmt.Errorf("must be a value, not a mapping")
}
