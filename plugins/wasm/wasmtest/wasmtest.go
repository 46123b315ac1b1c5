// Package wasmtest builds WebAssembly plugin modules in tests with the
// real toolchains: Go (GOOS=wasip1, -buildmode=c-shared) and AssemblyScript
// (the npm package, installed once into a gitignored cache). Without a
// toolchain a test skips, except in CI (CI=true), where it fails.
package wasmtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins/wasm"
)

// buildTimeout bounds one build or install.
const buildTimeout = 5 * time.Minute

// Dir returns the directory of package wasm in this checkout, where the
// examples (examples/) and the tests' modules (testdata/) live.
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("wasmtest: no caller information")
	}
	return filepath.Dir(filepath.Dir(file))
}

// Path returns a path under [Dir], e.g. Path("examples/shout").
func Path(rel string) string { return filepath.Join(Dir(), filepath.FromSlash(rel)) }

// builds keeps each module built in this process, so tests that share a
// module build it once; Main removes them.
var builds struct {
	sync.Mutex
	dir  string
	path map[string]string
}

// Main runs a package's tests (call it from TestMain) and then removes the
// modules built for them.
func Main(m *testing.M) {
	code := m.Run()
	builds.Lock()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	builds.Unlock()
	os.Exit(code)
}

// outPath returns where to build the module for key, and whether it has
// been built already in this process (then the path is where it is).
// Without Main, each test gets its own directory.
func outPath(t testing.TB, key, name string) (string, bool) {
	t.Helper()
	builds.Lock()
	defer builds.Unlock()
	if p, ok := builds.path[key]; ok {
		return p, true
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "wasmtest-")
		if err != nil {
			t.Fatal(err)
		}
		builds.dir, builds.path = dir, map[string]string{}
		// Compiling a module under -race takes seconds: compile each once.
		if err := wasm.SetCompilationCacheDir(filepath.Join(dir, "compiled")); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(builds.dir, fmt.Sprintf("%d-%s.wasm", len(builds.path), name))
	return p, false
}

// built records that key's module is at path.
func built(key, path string) {
	builds.Lock()
	builds.path[key] = path
	builds.Unlock()
}

// BuildGo builds the main package in dir as a WebAssembly reactor with the
// stock Go toolchain, once per test process, and returns the module's path.
func BuildGo(t testing.TB, dir string) string {
	t.Helper()
	return buildGo(t, dir, dir)
}

// BuildGoEdited builds the main package in dir after replacing old with
// new in its main.go (which must contain old): a rebuilt module, e.g. with
// another default.
func BuildGoEdited(t testing.TB, dir, old, new string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), old) {
		t.Fatalf("wasmtest: %s/main.go has no %q", dir, old)
	}
	edited := filepath.Join(t.TempDir(), "main.go")
	if err := os.WriteFile(edited, []byte(strings.Replace(string(src), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	return buildGo(t, edited, dir+"\x00"+old+"\x00"+new)
}

// buildGo runs go build on target (a directory or a main.go) from the
// repository, so the guest kit resolves from this module.
func buildGo(t testing.TB, target, key string) string {
	t.Helper()
	target, err := filepath.Abs(target) // relative to the test's directory, not the build's
	if err != nil {
		t.Fatal(err)
	}
	out, done := outPath(t, "go\x00"+key, strings.TrimSuffix(filepath.Base(target), ".go"))
	if done {
		return out
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, serr := os.Stat(goBin); serr != nil {
			missing(t, "go", "the Go toolchain builds the test modules")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "build", "-buildmode=c-shared", "-o", out, target)
	cmd.Dir = Dir()
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=wasip1 go build %s: %v\n%s", target, err, msg)
	}
	built("go\x00"+key, out)
	return out
}

// missing skips the test, or fails it in CI, for lack of a tool.
func missing(t testing.TB, tool, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI: %s", tool, why)
	}
	t.Skipf("%s not available, skipping: %s", tool, why)
}
