package plugins

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// maxChainLen bounds a chain; the worker packs entry indexes into 16 bits.
const maxChainLen = 1000

// Build makes every chain of cfg: for each entry it looks up the factory in
// reg (nil: [DefaultRegistry]), calls Configure and then Provision with host
// (nil: a [BasicHost] with defaults). Each entry gets its own plugin instance,
// so a room chain's ratelimit does not share buckets with the default chain's.
// All errors are reported at once, each naming its place, e.g.
// `plugins[0] wordfilter: config.action: must be mask or reject, got "zap"`;
// on error, the instances already made are closed.
func Build(cfg *Config, reg *Registry, host Host) (*Set, error) {
	if reg == nil {
		reg = defaultRegistry
	}
	if host == nil {
		host = BasicHost{}
	}
	b := builder{reg: reg, host: host, set: &Set{loadedAt: time.Now(), log: host.Logger()}}
	b.set.def = b.chain("", "plugins", cfg.Plugins)
	if len(cfg.Rooms) > 0 {
		b.set.rooms = make(map[string]*Chain, len(cfg.Rooms))
		for _, room := range slices.Sorted(maps.Keys(cfg.Rooms)) {
			b.set.rooms[room] = b.chain(room, "rooms."+room+".plugins", cfg.Rooms[room].Plugins)
		}
	}
	if err := errors.Join(b.errs...); err != nil {
		if cerr := b.set.closePlugins(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("closing the plugins built so far: %w", cerr))
		}
		return nil, err
	}
	b.set.refs.Store(1)
	return b.set, nil
}

type builder struct {
	reg  *Registry
	host Host
	set  *Set
	errs []error
}

func (b *builder) chain(room, path string, entries []Entry) *Chain {
	ch := &Chain{room: room, log: b.set.log}
	if len(entries) > maxChainLen {
		b.errs = append(b.errs, fmt.Errorf("%s: %d plugins, at most %d", path, len(entries), maxChainLen))
		return ch
	}
	for i, cfg := range entries {
		e, err := b.entry(fmt.Sprintf("%s[%d]", path, i), i, cfg)
		if err != nil {
			b.errs = append(b.errs, err)
			continue
		}
		ch.entries = append(ch.entries, e)
	}
	return ch
}

func (b *builder) entry(where string, i int, cfg Entry) (*entry, error) {
	f, ok := b.reg.Lookup(cfg.Name)
	if !ok {
		return nil, fmt.Errorf("%s: unknown plugin %q (registered: %s)", where, cfg.Name, strings.Join(b.reg.Names(), ", "))
	}
	where += " " + cfg.Name
	m := f()
	if m == nil {
		return nil, fmt.Errorf("%s: factory returned nil", where)
	}
	if c, ok := m.(Closer); ok {
		b.set.closers = append(b.set.closers, c) // closed on error too: Configure may have started something
	}
	if c, ok := m.(Configurer); ok {
		if err := c.Configure(cfg.Config); err != nil {
			if fe, ok := errors.AsType[*FieldError](err); ok {
				return nil, fmt.Errorf("%s: config.%w", where, fe)
			}
			return nil, fmt.Errorf("%s: config: %w", where, err)
		}
	} else if !cfg.Config.IsZero() {
		return nil, fmt.Errorf("%s: config: this plugin takes no config", where)
	}
	if p, ok := m.(Provisioner); ok {
		if err := p.Provision(b.host); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	e := &entry{name: cfg.Name, index: i, mod: m, timeout: cfg.Timeout, onError: cfg.OnError}
	if e.timeout <= 0 {
		e.timeout = DefaultTimeout
	}
	if e.onError == "" {
		e.onError = OnErrorAllow
	}
	if nb, ok := m.(NonBlocking); ok {
		e.inline = nb.NonBlocking()
	}
	e.joiner, _ = m.(JoinChecker)
	bc := cfg.Breaker
	if iso, ok := m.(Isolated); ok && bc == nil && iso.Isolated() {
		bc = &DefaultBreaker
	}
	if bc != nil && bc.Failures > 0 {
		e.breaker = newBreaker(*bc, b.host.Now)
	}
	return e, nil
}
