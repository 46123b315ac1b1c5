package wasm

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/danmaku/danmaku/plugins/wasm/abi"
)

// compileCache shares compiled code between runtimes in this process: a
// reload of an unchanged module, or two entries naming one module, compile
// it once. Entries are counted by their users and dropped with the last,
// unless SetCompilationCacheDir keeps them on disk too.
var compileCache struct {
	sync.Mutex
	c wazero.CompilationCache
}

func init() { compileCache.c = wazero.NewCompilationCache() }

// SetCompilationCacheDir keeps compiled modules in dir as well, so a
// module compiles once even across restarts (and test runs); dir must be
// private to this process's user. Modules compiled before keep their cache.
func SetCompilationCacheDir(dir string) error {
	c, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return fmt.Errorf("wasm: compilation cache: %w", err)
	}
	compileCache.Lock()
	compileCache.c = c
	compileCache.Unlock()
	return nil
}

func currentCache() wazero.CompilationCache {
	compileCache.Lock()
	defer compileCache.Unlock()
	return compileCache.c
}

// module is a compiled plugin module in a runtime of its own, which holds
// its memory cap.
type module struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	hasInit  bool
}

// compile checks code against the ABI and compiles it in a new runtime
// that caps each instance's memory at pages and interrupts calls whose
// context ends. WASI is there because most toolchains import it; with
// wazero's defaults it offers no files, network, environment or real clock
// (its clocks are fake and its sleep returns at once).
func compile(ctx context.Context, code []byte, pages uint32) (*module, error) {
	cfg := wazero.NewRuntimeConfig().
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(pages).
		WithCompilationCache(currentCache())
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	m := &module{rt: rt}
	err := m.load(ctx, code)
	if err != nil {
		_ = rt.Close(ctx)
		return nil, err
	}
	return m, nil
}

func (m *module) load(ctx context.Context, code []byte) error {
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, m.rt); err != nil {
		return err
	}
	if err := instantiateHost(ctx, m.rt); err != nil {
		return err
	}
	compiled, err := m.rt.CompileModule(experimental.WithCompilationWorkers(ctx, runtime.GOMAXPROCS(0)), code)
	if err != nil {
		return fmt.Errorf("compile: %w", err)
	}
	m.compiled = compiled
	if err := checkImports(compiled); err != nil {
		return fmt.Errorf("ABI check: %w", err)
	}
	m.hasInit, err = checkExports(compiled)
	if err != nil {
		return fmt.Errorf("ABI check: %w", err)
	}
	return nil
}

// close releases the runtime, every instance and the compiled code.
func (m *module) close(ctx context.Context) error { return m.rt.Close(ctx) }

var wantI32 = []api.ValueType{api.ValueTypeI32}

// checkExports makes sure the module exports what ABI version 1 needs,
// with the right signatures, and reports whether it has danmaku_init.
func checkExports(cm wazero.CompiledModule) (hasInit bool, err error) {
	if _, ok := cm.ExportedMemories()[abi.ExportMemory]; !ok {
		return false, fmt.Errorf("the module exports no memory named %q", abi.ExportMemory)
	}
	fns := cm.ExportedFunctions()
	want := func(name string, required bool) (bool, error) {
		f, ok := fns[name]
		switch {
		case !ok && required:
			return false, fmt.Errorf("the module exports no %s() -> i32 (it exports: %s)", name, exportList(fns))
		case !ok:
			return false, nil
		case len(f.ParamTypes()) != 0 || !slices.Equal(f.ResultTypes(), wantI32):
			return false, fmt.Errorf("%s must be () -> i32, got %s", name, signature(f))
		}
		return true, nil
	}
	for _, name := range []string{abi.ExportVersion, abi.ExportModerate} {
		if _, err := want(name, true); err != nil {
			return false, err
		}
	}
	f, reactor := fns[abi.ExportReactorInit]
	if reactor && (len(f.ParamTypes()) != 0 || len(f.ResultTypes()) != 0) {
		return false, fmt.Errorf("%s must be () -> (), got %s", abi.ExportReactorInit, signature(f))
	}
	if _, command := fns["_start"]; command && !reactor {
		return false, fmt.Errorf("the module is a WASI command (it exports _start), not a reactor%s", commandHint(fns))
	}
	return want(abi.ExportInit, false)
}

// commandHint explains the usual mistake with Go: a command module, whose
// _start runs main and exits, instead of a reactor.
func commandHint(fns map[string]api.FunctionDefinition) string {
	if _, ok := fns["_start"]; ok {
		return ": build Go plugins with -buildmode=c-shared"
	}
	return ""
}

func exportList(fns map[string]api.FunctionDefinition) string {
	var names []string
	for n := range fns {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}

func signature(f api.FunctionDefinition) string {
	names := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = api.ValueTypeName(t)
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	return names(f.ParamTypes()) + " -> " + names(f.ResultTypes())
}

// checkImports refuses imports the host does not offer, naming them,
// before instantiation would fail with a less helpful message.
func checkImports(cm wazero.CompiledModule) error {
	offered := map[string]bool{}
	for _, f := range hostFuncs {
		offered[f.name] = true
	}
	var bad []string
	for _, f := range cm.ImportedFunctions() {
		mod, name, _ := f.Import()
		switch {
		case mod == wasi_snapshot_preview1.ModuleName:
		case mod == abi.ImportModule && offered[name]:
		default:
			bad = append(bad, mod+"."+name)
		}
	}
	if len(cm.ImportedMemories()) > 0 {
		bad = append(bad, "a memory")
	}
	if len(bad) > 0 {
		return fmt.Errorf("the module imports %s, which the host does not offer (ABI version %d offers %s.* and %s.*)",
			strings.Join(bad, ", "), abi.Version, abi.ImportModule, wasi_snapshot_preview1.ModuleName)
	}
	return nil
}
