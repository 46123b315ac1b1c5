package moderation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/plugins"
)

// DefaultImportPlugins are the plugins imported comments pass unless
// configured otherwise: the content filters of the built-in chain. Rate
// limits and flood control would refuse a file for being a file.
var DefaultImportPlugins = []string{"sanitize", "wordfilter"}

// noImportPlugins is the ImportPlugins value that runs no plugin on import.
const noImportPlugins = "none"

// Reasons an import chain adds to the decoders' (see interop.Reason).
const (
	reasonRejected interop.Reason = "rejected" // a plugin refused it
	reasonHeld     interop.Reason = "held"     // a plugin held or shadowed it: not imported
)

// importPlugins returns the names of the plugins imports run.
func (s *Service) importPlugins() []string {
	if s.deps.ImportPlugins == nil {
		return DefaultImportPlugins
	}
	return s.deps.ImportPlugins
}

// CheckImportPlugins reports the first of names that is not a plugin of
// reg, so a typo stops start-up rather than every import. The default
// names (nil) are not checked: a registry without them (tests, custom
// builds) just has nothing to run on import.
func CheckImportPlugins(names []string, reg *plugins.Registry) error {
	if slices.Contains(names, noImportPlugins) {
		if len(names) > 1 {
			return fmt.Errorf("import-plugins: %q cannot be combined with plugin names", noImportPlugins)
		}
		return nil
	}
	if reg == nil {
		reg = plugins.DefaultRegistry()
	}
	for _, n := range names {
		if _, ok := reg.Lookup(n); !ok {
			return fmt.Errorf("import-plugins: unknown plugin %q (registered: %s)", n, strings.Join(reg.Names(), ", "))
		}
	}
	return nil
}

// ImportChains builds the plugin configuration in force, every chain cut
// down to the ImportPlugins in their configured order and settings, as a
// set of its own: imports neither count in the live counters nor share
// the live plugins' state (a word list, yes; a rate limit, no).
func (s *Service) ImportChains() (*plugins.Set, error) {
	cfg, err := s.deps.Source.Load()
	if err != nil {
		return nil, err
	}
	names := s.importPlugins()
	cut := cfg.Only(func(e plugins.Entry) bool { return slices.Contains(names, e.Name) })
	set, err := plugins.Build(cut, s.deps.Registry, plugins.BasicHost{Log: s.log.With("component", "import"), Blocks: s.deps.Bans})
	if err != nil {
		return nil, configError(err)
	}
	return set, nil
}

// Screen runs room's import chain on an imported comment. It applies the
// chain's rewrites to d, or says why the comment is left out: imports
// store only what the chain accepts, never held or shadowed comments.
func (s *Service) Screen(ctx context.Context, chains *plugins.Set, room string, u protocol.User, d *protocol.Draft) *interop.Skip {
	from := Sender{Identity: auth.Identity{ID: u.ID, Name: u.Name}, Via: ViaImport}
	res := chains.Run(ctx, pluginComment(room, from, *d))
	by := res.Plugin
	if res.Reason != "" {
		by += ": " + res.Reason
	}
	switch res.Action {
	case plugins.ActionAllow:
		return nil
	case plugins.ActionReject:
		return &interop.Skip{Reason: reasonRejected, Detail: "rejected by " + by}
	case plugins.ActionHold, plugins.ActionShadow:
		return &interop.Skip{Reason: reasonHeld, Detail: fmt.Sprintf("%s by %s (imports keep only accepted comments)", res.Action, by)}
	}
	if err := s.rewrite(d, res); err != nil {
		return &interop.Skip{Reason: reasonRejected, Detail: "rewritten by " + by + " into something invalid"}
	}
	return nil
}
