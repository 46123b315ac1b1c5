package app

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

// viaImport is what plugins see in metadata "via" for imported comments.
const viaImport = "import"

// Reasons an importer adds to the decoders' (see interop.Reason).
const (
	reasonRejected interop.Reason = "rejected" // a plugin refused it
	reasonHeld     interop.Reason = "held"     // a plugin held or shadowed it: not imported
	reasonBadUser  interop.Reason = "bad_user" // the author's id is unusable
)

// importPlugins returns the names of the plugins imports run.
func (a *App) importPlugins() []string {
	if a.cfg.ImportPlugins == nil {
		return DefaultImportPlugins
	}
	return a.cfg.ImportPlugins
}

// checkImportPlugins reports the first ImportPlugins name that is not a
// registered plugin, so a typo stops start-up rather than every import.
// The default names are not checked: a registry without them (tests,
// custom builds) just has nothing to run on import.
func (a *App) checkImportPlugins() error {
	names := a.cfg.ImportPlugins
	if slices.Contains(names, noImportPlugins) {
		if len(names) > 1 {
			return fmt.Errorf("import-plugins: %q cannot be combined with plugin names", noImportPlugins)
		}
		return nil
	}
	reg := a.cfg.PluginRegistry
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

// importChains builds the plugin configuration in force, every chain cut
// down to the ImportPlugins in their configured order and settings, as a
// set of its own: imports neither count in the live counters nor share
// the live plugins' state (a word list, yes; a rate limit, no).
func (a *App) importChains() (*plugins.Set, error) {
	cfg, err := a.pluginConfig()
	if err != nil {
		return nil, err
	}
	names := a.importPlugins()
	keep := func(entries []plugins.Entry) []plugins.Entry {
		out := []plugins.Entry{}
		for _, e := range entries {
			if slices.Contains(names, e.Name) {
				out = append(out, e)
			}
		}
		return out
	}
	cut := &plugins.Config{Plugins: keep(cfg.Plugins)}
	if len(cfg.Rooms) > 0 {
		cut.Rooms = make(map[string]plugins.RoomConfig, len(cfg.Rooms))
		for room, rc := range cfg.Rooms {
			cut.Rooms[room] = plugins.RoomConfig{Plugins: keep(rc.Plugins)}
		}
	}
	set, err := plugins.Build(cut, a.cfg.PluginRegistry, plugins.BasicHost{Log: a.log.With("component", "import"), Blocks: a.blocks})
	if err != nil {
		return nil, pluginError(err)
	}
	return set, nil
}

// screen runs room's import chain on an imported comment. It applies the
// chain's rewrites to d, or says why the comment is left out: imports
// store only what the chain accepts, never held or shadowed comments.
func (a *App) screen(ctx context.Context, chains *plugins.Set, room string, u protocol.User, d *protocol.Draft) *interop.Skip {
	from := sender{Identity: auth.Identity{ID: u.ID, Name: u.Name}, Via: viaImport}
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
	if err := a.rewrite(d, res); err != nil {
		return &interop.Skip{Reason: reasonRejected, Detail: "rewritten by " + by + " into something invalid"}
	}
	return nil
}
