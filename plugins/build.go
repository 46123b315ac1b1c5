package plugins

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
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
	return build(cfg, reg, host, nil)
}

// build is Build over a previous set: an entry whose config is unchanged
// keeps prev's instance at its place, and a changed one may inherit from
// it ([Inheritor]). The kept instances stay prev's (prev closes them)
// until adopt hands them to the new set.
func build(cfg *Config, reg *Registry, host Host, prev *Set) (*Set, error) {
	if reg == nil {
		reg = defaultRegistry
	}
	if host == nil {
		host = BasicHost{}
	}
	b := builder{reg: reg, host: host, prev: prev, set: &Set{loadedAt: time.Now(), log: host.Logger()}}
	b.set.def = b.chain("", "plugins", cfg.Plugins)
	for _, room := range cfg.roomKeys() {
		rc := cfg.Rooms[room]
		ch := b.chain(room, "rooms."+room+".plugins", rc.Plugins)
		if isPattern(room) {
			b.set.patterns = append(b.set.patterns, ch)
			continue
		}
		if b.set.rooms == nil {
			b.set.rooms = make(map[string]*Chain, len(cfg.Rooms))
		}
		b.set.rooms[room] = ch
	}
	if err := errors.Join(b.errs...); err != nil {
		if cerr := b.set.closePlugins(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("closing the plugins built so far: %w", cerr))
		}
		return nil, err
	}
	b.set.hash = b.hash()
	b.set.refs.Store(1)
	return b.set, nil
}

type builder struct {
	reg  *Registry
	host Host
	prev *Set
	set  *Set
	errs []error
}

func (b *builder) chain(room, path string, entries []Entry) *Chain {
	ch := &Chain{room: room, log: b.set.log}
	if len(entries) > maxChainLen {
		b.errs = append(b.errs, fmt.Errorf("%s: %d plugins, at most %d", path, len(entries), maxChainLen))
		return ch
	}
	seen := map[string]int{}
	for i, cfg := range entries {
		at := place{chain: room, name: cfg.Name, nth: seen[cfg.Name]}
		seen[cfg.Name]++
		e, err := b.entry(fmt.Sprintf("%s[%d]", path, i), i, at, cfg)
		if err != nil {
			b.errs = append(b.errs, err)
			continue
		}
		ch.entries = append(ch.entries, e)
		if e.observer != nil {
			ch.observers = append(ch.observers, e)
		}
	}
	return ch
}

func (b *builder) entry(where string, i int, at place, cfg Entry) (*entry, error) {
	fp := fingerprint(cfg)
	old := b.prev.entryAt(at)
	var inst *instance
	if old != nil && old.fp == fp && old.inst.filesUnchanged() {
		inst = old.inst // unchanged: keep the instance, its state and its timers
		b.set.instances = append(b.set.instances, inst)
	} else {
		var err error
		if inst, err = b.instance(where, cfg); err != nil {
			return nil, err
		}
		if h, ok := inst.mod.(Inheritor); ok && old != nil {
			h.Inherit(old.inst.mod)
		}
	}
	m := inst.mod
	e := &entry{name: cfg.Name, index: i, inst: inst, timeout: cfg.Timeout, onError: cfg.OnError,
		dryRun: cfg.Mode == ModeDryRun, maxStuck: int64(cfg.MaxAbandoned), fp: fp, at: at, log: b.set.log}
	if e.timeout <= 0 {
		e.timeout = DefaultTimeout
	}
	if e.onError == "" {
		e.onError = OnErrorAllow
	}
	if cfg.MaxAbandoned == 0 {
		e.maxStuck = DefaultMaxAbandoned
	}
	if nb, ok := m.(NonBlocking); ok {
		e.inline = nb.NonBlocking()
	}
	e.joiner, _ = m.(JoinChecker)
	e.observer, _ = m.(Observer)
	bc := cfg.Breaker
	if iso, ok := m.(Isolated); ok && bc == nil && iso.Isolated() {
		bc = &DefaultBreaker
	}
	if bc != nil && bc.Failures > 0 {
		e.breaker = newBreaker(*bc, b.host.Now)
	}
	return e, nil
}

// instance makes, configures and provisions a new plugin instance.
func (b *builder) instance(where string, cfg Entry) (*instance, error) {
	f, ok := b.reg.Lookup(cfg.Name)
	if !ok {
		return nil, fmt.Errorf("%s: unknown plugin %q (registered: %s)", where, cfg.Name, strings.Join(b.reg.Names(), ", "))
	}
	where += " " + cfg.Name
	m := f()
	if m == nil {
		return nil, fmt.Errorf("%s: factory returned nil", where)
	}
	inst := &instance{mod: m}
	inst.closer, _ = m.(Closer)
	inst.owner.Store(b.set)
	b.set.instances = append(b.set.instances, inst) // closed on error too: Configure may have started something
	var files []string
	cfg.Config.files = &files
	defer func() {
		inst.files = make(map[string]string, len(files))
		for _, f := range files {
			inst.files[f] = fileDigest(f)
		}
	}()
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
	return inst, nil
}

// hash is a short digest of the whole configuration the set runs.
func (b *builder) hash() string {
	h := sha256.New()
	for _, ch := range b.set.chains() {
		fmt.Fprintf(h, "chain %q\n", ch.room)
		for _, e := range ch.entries {
			fmt.Fprintf(h, "%s\n", e.fp)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
