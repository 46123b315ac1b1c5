package plugins

import (
	"errors"
	"fmt"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// RawConfig is a plugin's undecoded config block (a YAML mapping). Plugins
// decode it into their own struct with [RawConfig.Decode].
type RawConfig struct {
	node  *yaml.Node // a mapping, or nil when the block is absent
	dir   string     // directory of the config file, for relative paths
	files *[]string  // the paths Path resolved, while the builder listens
}

// ParseRawConfig parses YAML text holding one mapping, e.g. `words: [a, b]`;
// tests and programmatic configs use it. Empty text gives an empty config.
func ParseRawConfig(src string) (RawConfig, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		return RawConfig{}, fmt.Errorf("plugins: config block: %w", err)
	}
	if len(doc.Content) == 0 {
		return RawConfig{}, nil
	}
	n, err := expandAliases(doc.Content[0])
	if err != nil {
		return RawConfig{}, fmt.Errorf("plugins: config block: %w", err)
	}
	return rawConfigOf(n, "")
}

// rawConfigOf checks that n is a mapping (or null) and wraps it.
func rawConfigOf(n *yaml.Node, dir string) (RawConfig, error) {
	switch {
	case n == nil || n.Tag == "!!null":
		return RawConfig{dir: dir}, nil
	case n.Kind != yaml.MappingNode:
		return RawConfig{}, fmt.Errorf("line %d: must be a mapping", n.Line)
	}
	return RawConfig{node: n, dir: dir}, nil
}

// IsZero reports whether the block is absent or empty.
func (c RawConfig) IsZero() bool { return c.node == nil || len(c.node.Content) == 0 }

// Decode decodes the block into v (a pointer to a struct with yaml tags),
// leaving fields absent from the block as they were, so set defaults first.
// Unknown keys are errors, reported as a [FieldError] naming the key.
// time.Duration fields accept "50ms"; fields implementing
// encoding.TextUnmarshaler decode from a scalar.
func (c RawConfig) Decode(v any) error {
	if c.node == nil {
		return nil
	}
	if err := checkKnownFields(c.node, v, ""); err != nil {
		return err
	}
	if err := c.node.Decode(v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) == 1 {
			return errors.New(te.Errors[0])
		}
		return err
	}
	return nil
}

// Path resolves p relative to the directory of the config file, so that
// `words_file: words.txt` sits next to the config; absolute paths and
// empty strings are returned as they are.
//
// A reload keeps an instance whose config is unchanged only if the files
// it resolved through Path are unchanged too, so resolve every file the
// plugin reads (a word list, a module) through Path.
func (c RawConfig) Path(p string) string {
	if p != "" && !filepath.IsAbs(p) && c.dir != "" {
		p = filepath.Join(c.dir, p)
	}
	if c.files != nil && p != "" {
		*c.files = append(*c.files, p)
	}
	return p
}

// FieldError is a config error about one field of a plugin's config block;
// the chain builder prefixes it with the plugin's place, e.g.
// `plugins[0] wordfilter: config.action: must be mask or reject, got "zap"`.
type FieldError struct {
	Field string // dotted path inside the block, e.g. "action" or "words[3]"
	Err   error
}

// Error returns "field: problem".
func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the underlying problem.
func (e *FieldError) Unwrap() error { return e.Err }

// FieldErrorf returns a [FieldError] for field with a formatted message;
// %w in format wraps an error as fmt.Errorf does.
func FieldErrorf(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}
