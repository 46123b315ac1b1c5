package wasm

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"

	"github.com/danmaku/danmaku/plugins"
)

// Name is the name the plugin registers under.
const Name = "wasm"

func init() { plugins.Register(Name, New) }

// Plugin runs one WebAssembly module.
type Plugin struct {
	cfg      Config
	path     string // the module file, resolved against the config file
	code     []byte
	settings settings
	log      *slog.Logger

	mod  *module
	pool *pool
}

var (
	_ plugins.Moderator   = (*Plugin)(nil)
	_ plugins.Configurer  = (*Plugin)(nil)
	_ plugins.Provisioner = (*Plugin)(nil)
	_ plugins.NonBlocking = (*Plugin)(nil)
	_ plugins.Isolated    = (*Plugin)(nil)
	_ plugins.Closer      = (*Plugin)(nil)
)

// New returns an unconfigured plugin with the default config.
func New() plugins.Moderator { return &Plugin{cfg: defaultConfig(), log: slog.Default()} }

// settings are the entry's settings as the host functions serve them.
type settings struct {
	json string            // the block as one JSON object
	text map[string]string // each top-level value as text
}

// Configure decodes the block and reads the module file: each build reads
// it again, which is how a reload picks up a changed module.
func (p *Plugin) Configure(raw plugins.RawConfig) error {
	if err := raw.Decode(&p.cfg); err != nil {
		return err
	}
	switch c := p.cfg; {
	case c.Module == "":
		return plugins.FieldErrorf("module", "is required: the .wasm file to run")
	case c.Memory < pageSize:
		return plugins.FieldErrorf("memory", "must be at least 64KiB (one WebAssembly page), got %v", c.Memory)
	case c.Instances < 1 || c.Instances > MaxInstances:
		return plugins.FieldErrorf("instances", "must be between 1 and %d, got %d", MaxInstances, c.Instances)
	}
	var err error
	if p.settings, err = settingsOf(p.cfg.Settings); err != nil {
		return plugins.FieldErrorf("settings", "%v", err)
	}
	p.path = raw.Path(p.cfg.Module)
	if p.code, err = os.ReadFile(p.path); err != nil {
		return plugins.FieldErrorf("module", "%v", err)
	}
	return nil
}

func settingsOf(m map[string]any) (settings, error) {
	if m == nil {
		m = map[string]any{}
	}
	all, err := json.Marshal(m)
	if err != nil {
		return settings{}, err
	}
	s := settings{json: string(all), text: make(map[string]string, len(m))}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			s.text[k] = v
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return settings{}, fmt.Errorf("%s: %w", k, err)
			}
			s.text[k] = string(b)
		}
	}
	return s, nil
}

// Provision compiles the module, checks it against the ABI and starts the
// first instance with the settings, so a bad module fails the build (and a
// reload keeps the running chain) instead of failing comments.
func (p *Plugin) Provision(h plugins.Host) error {
	p.log = h.Logger()
	ctx := context.Background()
	var err error
	if p.mod, err = compile(ctx, p.code, p.cfg.Memory.pages()); err != nil {
		return fmt.Errorf("module %s: %w", p.cfg.Module, err)
	}
	p.code = nil // compiled; the bytes are not needed again
	sctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	first, err := p.newInstance(sctx)
	if err != nil {
		_ = p.mod.close(ctx)
		p.mod = nil
		return fmt.Errorf("module %s: %w", p.cfg.Module, err)
	}
	p.pool = newPool(p, p.cfg.Instances, first)
	return nil
}

// NonBlocking reports true: a call only computes, and the plugin enforces
// its own deadline by interrupting the module, so the chain may call it
// inline.
func (p *Plugin) NonBlocking() bool { return true }

// Isolated reports true: the module is sandboxed, so the chain puts a
// circuit breaker in front of it.
func (p *Plugin) Isolated() bool { return true }

// Moderate runs the comment through an instance. A trap, exit, timeout or
// garbage answer fails the call and replaces the instance.
func (p *Plugin) Moderate(ctx context.Context, c plugins.Comment) (plugins.Verdict, error) {
	ctx, leave, err := p.pool.enter(ctx)
	if err != nil {
		return plugins.Verdict{}, err
	}
	defer leave()
	in, err := p.pool.get(ctx)
	if err != nil {
		return plugins.Verdict{}, err
	}
	v, reusable, err := in.run(ctx, p, c)
	if reusable {
		p.pool.put(in)
	} else {
		p.pool.discard(in)
	}
	return v, err
}

// Close stops the instances and releases the compiled module.
func (p *Plugin) Close() error {
	if p.pool != nil {
		p.pool.close()
	}
	if p.mod != nil {
		mod := p.mod
		p.mod = nil // a second Close is a no-op
		return mod.close(context.Background())
	}
	return nil
}
