package wasm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/wasm/abi"
)

// instance is one instantiated module: its own memory and globals. It
// serves one call at a time, and keeps what a call needs (the comment,
// the call state, the record buffer) so that a call allocates little: its
// deadline context only.
type instance struct {
	mod    api.Module
	fn     api.Function // danmaku_moderate
	stack  [1]uint64    // danmaku_moderate's result
	stderr *stderrHead
	rec    []byte // comment_read's record

	comment plugins.Comment // the comment of the call in progress
	cur     call
}

// longestCall bounds a call whose context has no deadline.
const longestCall = plugins.MaxTimeout

// newInstance starts an instance: WASI's _initialize (if exported), then
// the ABI version check and danmaku_init with the settings.
func (p *Plugin) newInstance(ctx context.Context) (*instance, error) {
	stderr := &stderrHead{}
	cfg := wazero.NewModuleConfig().WithName("").WithStartFunctions(abi.ExportReactorInit).WithStderr(stderr)
	mod, err := p.mod.rt.InstantiateModule(callCtx{ctx, &call{p: p}}, p.mod.compiled, cfg)
	if err != nil {
		return nil, fmt.Errorf("start: %w", describe(err, stderr))
	}
	in := &instance{mod: mod, fn: mod.ExportedFunction(abi.ExportModerate), stderr: stderr}
	if err := p.startInstance(ctx, in); err != nil {
		in.close()
		return nil, err
	}
	return in, nil
}

func (p *Plugin) startInstance(ctx context.Context, in *instance) error {
	v, err := in.mod.ExportedFunction(abi.ExportVersion).Call(callCtx{ctx, &call{p: p}})
	if err != nil {
		return fmt.Errorf("%s: %w", abi.ExportVersion, describe(err, in.stderr))
	}
	if got := api.DecodeI32(v[0]); got != abi.Version {
		return fmt.Errorf("ABI check: %s returned %d, this server speaks version %d", abi.ExportVersion, got, abi.Version)
	}
	if !p.mod.hasInit {
		return nil
	}
	c := &call{p: p}
	res, err := in.mod.ExportedFunction(abi.ExportInit).Call(callCtx{ctx, c})
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", abi.ExportInit, describe(err, in.stderr))
	case api.DecodeI32(res[0]) != 0:
		reason := c.reason
		if reason == "" {
			reason = fmt.Sprintf("%s returned %d and gave no reason", abi.ExportInit, api.DecodeI32(res[0]))
		}
		return fmt.Errorf("the module refused its settings: %s", reason)
	}
	return nil
}

// run runs danmaku_moderate for c by ctx's deadline and returns the
// verdict, and whether the instance may serve another call: not after an
// error. The deadline is wazero's own close-on-context-done: its watcher
// marks the module closed, which the compiled code checks in every loop and
// call, and leaves the module's resources to close, so nothing is freed
// under the running code; an interrupted instance is closed by its pool.
func (in *instance) run(ctx context.Context, p *Plugin, c plugins.Comment) (v plugins.Verdict, reusable bool, err error) {
	if err := ctx.Err(); err != nil {
		return plugins.Verdict{}, true, fmt.Errorf("%w: no time left for the module: %w", plugins.ErrTimeout, err)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(longestCall)
	}
	bounded, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	in.comment = c
	in.cur = call{p: p, in: &in.comment, rec: &in.rec}
	in.stderr.reset()
	// A context per call: wazero's watcher may read it after the call
	// returned, when this instance is already serving its next one.
	err = in.fn.CallWithStack(callCtx{bounded, &in.cur}, in.stack[:])
	if err != nil {
		return plugins.Verdict{}, false, describe(err, in.stderr)
	}
	v, err = in.cur.verdict(api.DecodeI32(in.stack[0]))
	return v, err == nil, err
}

func (in *instance) close() { _ = in.mod.Close(context.Background()) }

// describe turns an error from a call into a plugin failure an operator
// can read: a timeout, an exit (Go's runtime exits on a panic or when it
// runs out of memory, after saying why on stderr) or a trap.
func describe(err error, stderr *stderrHead) error {
	said := stderr.summary()
	if exit, ok := errors.AsType[*sys.ExitError](err); ok {
		switch exit.ExitCode() {
		case sys.ExitCodeDeadlineExceeded:
			return fmt.Errorf("%w: the module was interrupted at its deadline", plugins.ErrTimeout)
		case sys.ExitCodeContextCanceled:
			return fmt.Errorf("the module was interrupted: %w", context.Canceled)
		}
		if said != "" {
			return fmt.Errorf("the module exited with code %d: %s", exit.ExitCode(), said)
		}
		return fmt.Errorf("the module exited with code %d", exit.ExitCode())
	}
	msg, _, _ := strings.Cut(err.Error(), "\n") // the first line; the rest is a wasm stack trace
	if said != "" {
		msg += " (stderr: " + said + ")"
	}
	return fmt.Errorf("the module trapped: %s", msg)
}

// stderrHead keeps the start of what a module writes to stderr during a
// call: Go's runtime says why it panicked there, and the start is what
// matters; the rest is not kept, so a chatty module cannot grow it.
type stderrHead struct {
	mu  sync.Mutex
	buf []byte
}

const stderrKeep = 1024

// Write keeps the first stderrKeep bytes.
func (s *stderrHead) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if room := stderrKeep - len(s.buf); room > 0 {
		s.buf = append(s.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (s *stderrHead) reset() {
	s.mu.Lock()
	s.buf = s.buf[:0]
	s.mu.Unlock()
}

// summary is the first two non-empty lines, joined.
func (s *stderrHead) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for line := range strings.SplitSeq(string(s.buf), "\n") {
		if line = strings.TrimSpace(line); line != "" && len(out) < 2 {
			out = append(out, line)
		}
	}
	return strings.Join(out, "; ")
}
