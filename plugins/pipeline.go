package plugins

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ErrClosed is returned in results once the pipeline is closed.
var ErrClosed = errors.New("plugins: pipeline closed")

// Pipeline is what the host keeps: the running [Set], swapped atomically on
// reload. A bad reload keeps the running set; a replaced set is closed once
// the calls still using it return. All methods are safe for concurrent use.
type Pipeline struct {
	reg  *Registry
	host Host

	reloadMu sync.Mutex // one reload at a time; calls never take it
	cur      atomic.Pointer[Set]
}

// NewPipeline builds cfg (see [Build]) and holds the result.
func NewPipeline(cfg *Config, reg *Registry, host Host) (*Pipeline, error) {
	s, err := Build(cfg, reg, host)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{reg: reg, host: host}
	p.cur.Store(s)
	return p, nil
}

// acquire returns the current set with a reference held, or nil if closed.
func (p *Pipeline) acquire() *Set {
	for {
		s := p.cur.Load()
		if s == nil || s.acquire() {
			return s
		}
		// s was replaced and fully released between Load and acquire: reload.
	}
}

// Moderate runs c through the chain of its room in the current set.
func (p *Pipeline) Moderate(ctx context.Context, c Comment) Result {
	s := p.acquire()
	if s == nil {
		return Result{Action: ActionReject, Comment: c, Reason: failReason, Err: ErrClosed}
	}
	defer s.release(true)
	return s.Run(ctx, c)
}

// Join asks the join hooks of j's room whether j may enter.
func (p *Pipeline) Join(ctx context.Context, j Join) JoinResult {
	s := p.acquire()
	if s == nil {
		return JoinResult{Reason: failReason, Err: ErrClosed}
	}
	defer s.release(true)
	return s.Join(ctx, j)
}

// Stats snapshots the current set's counters (zero after Close).
func (p *Pipeline) Stats() Stats {
	s := p.acquire()
	if s == nil {
		return Stats{}
	}
	defer s.release(true)
	return s.Stats()
}

// Reload builds cfg and swaps it in atomically. If building fails, the
// running set stays in place and the error says why. An entry whose
// config is unchanged (same chain, same place among the chain's entries of
// its name, same settings) keeps its plugin instance with its state; a
// changed one gets a new instance, which may take over the old one's
// state ([Inheritor]). The old set's other plugins are closed when the
// last call using them returns.
func (p *Pipeline) Reload(cfg *Config) error {
	p.reloadMu.Lock()
	defer p.reloadMu.Unlock()
	if p.cur.Load() == nil {
		return ErrClosed
	}
	s, err := build(cfg, p.reg, p.host, p.cur.Load())
	if err != nil {
		return fmt.Errorf("plugins: reload failed, keeping the running chains: %w", err)
	}
	old := p.cur.Swap(s)
	s.adopt()
	old.release(false)
	return nil
}

// Close stops the pipeline and closes the plugins once in-flight calls
// return; it returns the close error if none are in flight. Later calls
// to Moderate reject with [ErrClosed].
func (p *Pipeline) Close() error {
	p.reloadMu.Lock()
	defer p.reloadMu.Unlock()
	s := p.cur.Swap(nil)
	if s == nil {
		return nil
	}
	if s.refs.Add(-1) == 0 {
		return s.Close()
	}
	return nil
}
