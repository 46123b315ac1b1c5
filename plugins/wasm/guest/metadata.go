package guest

import (
	"maps"
	"slices"
)

// Metadata is a comment's annotations (key → value, e.g. "via" → "ws").
// It reads the host's encoding lazily, so a plugin that never looks at
// metadata pays nothing for it.
type Metadata struct {
	raw string            // entries as comment_read encodes them
	set map[string]string // entries set by this plugin, or given to NewMetadata
}

// NewMetadata returns metadata holding m, for tests.
func NewMetadata(m map[string]string) Metadata { return Metadata{set: maps.Clone(m)} }

// Get returns the value of key.
func (m Metadata) Get(key string) (string, bool) {
	if v, ok := m.set[key]; ok {
		return v, true
	}
	return m.rawGet(key)
}

func (m Metadata) rawGet(key string) (string, bool) {
	found := ""
	ok := false
	m.each(func(k, v string) bool {
		if k == key {
			found, ok = v, true
			return false
		}
		return true
	})
	return found, ok
}

// Set sets key to value; a rewrite hands it to the host. Call
// [Comment.Clone] first if the comment's metadata may be shared.
func (m *Metadata) Set(key, value string) {
	if m.set == nil {
		m.set = map[string]string{}
	}
	m.set[key] = value
}

// Keys returns the keys, sorted.
func (m Metadata) Keys() []string {
	seen := map[string]bool{}
	for k := range m.set {
		seen[k] = true
	}
	m.each(func(k, _ string) bool { seen[k] = true; return true })
	return slices.Sorted(maps.Keys(seen))
}

// each calls f for each entry of raw until f returns false; a malformed
// tail is ignored.
func (m Metadata) each(f func(k, v string) bool) {
	s := m.raw
	next := func() (string, bool) {
		if len(s) < 4 {
			return "", false
		}
		n := int(u32(s))
		if n > len(s)-4 {
			return "", false
		}
		v := s[4 : 4+n]
		s = s[4+n:]
		return v, true
	}
	for {
		k, ok1 := next()
		v, ok2 := next()
		if !ok1 || !ok2 || !f(k, v) {
			return
		}
	}
}

// changed returns the entries set that differ from the host's.
func (m Metadata) changed() map[string]string {
	var out map[string]string
	for k, v := range m.set {
		if old, ok := m.rawGet(k); !ok || old != v {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

// u32 decodes the little-endian uint32 at the start of s (len(s) >= 4).
func u32(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}
