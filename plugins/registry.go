package plugins

import (
	"fmt"
	"slices"
	"sync"
)

// Registry maps plugin names to factories. Most code uses the package-level
// [Register] and [Names], backed by [DefaultRegistry]; tests make their own
// with [NewRegistry] so they need no globals.
type Registry struct {
	mu        sync.RWMutex
	factories map[string]Factory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{factories: make(map[string]Factory)} }

var defaultRegistry = NewRegistry()

// DefaultRegistry returns the registry that [Register] fills from init functions.
func DefaultRegistry() *Registry { return defaultRegistry }

// Register adds a plugin factory under name. Like sql.Register it panics on
// an invalid or duplicate name or a nil factory, because those are
// programming errors found at start-up.
func (r *Registry) Register(name string, f Factory) {
	if err := checkName(name); err != nil {
		panic(fmt.Sprintf("plugins: Register: %v", err))
	}
	if f == nil {
		panic(fmt.Sprintf("plugins: Register: nil factory for %q", name))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.factories[name]; dup {
		panic(fmt.Sprintf("plugins: Register called twice for %q", name))
	}
	r.factories[name] = f
}

// Lookup returns the factory registered under name.
func (r *Registry) Lookup(name string) (Factory, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.factories[name]
	return f, ok
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.factories))
	for n := range r.factories {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Register adds a plugin factory to the default registry; call it from init.
func Register(name string, f Factory) { defaultRegistry.Register(name, f) }

// Names returns the names in the default registry, sorted.
func Names() []string { return defaultRegistry.Names() }

// checkName accepts names usable unquoted in YAML and URLs: [a-z0-9_-], starting with a letter.
func checkName(name string) error {
	if name == "" {
		return fmt.Errorf("empty plugin name")
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '-'):
		default:
			return fmt.Errorf("invalid plugin name %q: use lower-case letters, digits, '_' and '-', starting with a letter", name)
		}
	}
	return nil
}
