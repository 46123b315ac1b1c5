package wasmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// npmCache is where the AssemblyScript compiler is installed, once, for
// every test run (gitignored).
func npmCache() string { return Path("testdata/npm") }

var installMu sync.Mutex // one install at a time within a test binary

// BuildAssemblyScript compiles dir/assembly/index.ts with the compiler
// version dir/package.json pins, as its build script does, and returns the
// module's path in a temporary directory. The compiler is npm-installed
// into a cache the first time; DANMAKU_ASC names an asc to use instead.
func BuildAssemblyScript(t testing.TB, dir string) string {
	t.Helper()
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	asc := os.Getenv("DANMAKU_ASC")
	if asc == "" {
		asc = installASC(t, dir)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node", "node runs the AssemblyScript compiler")
	}
	out, done := outPath(t, "asc\x00"+dir, filepath.Base(dir))
	if done {
		return out
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, asc, filepath.Join("assembly", "index.ts"), "--outFile", out, "--optimize", "--use", "abort=")
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("asc %s: %v\n%s", dir, err, msg)
	}
	built("asc\x00"+dir, out)
	return out
}

// installASC installs the pinned assemblyscript into the cache unless it
// is there, and returns the path of its asc.js.
func installASC(t testing.TB, dir string) string {
	t.Helper()
	version, err := pinned(dir)
	if err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(npmCache(), "assemblyscript@"+version)
	asc := filepath.Join(prefix, "node_modules", "assemblyscript", "bin", "asc.js")
	installMu.Lock()
	defer installMu.Unlock()
	if _, err := os.Stat(asc); err == nil {
		return asc
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		missing(t, "npm", "npm installs the AssemblyScript compiler; or set DANMAKU_ASC to an asc.js")
	}
	// Install next to the cache and rename into place: test binaries of
	// several packages may install at once, and the first rename wins.
	if err := os.MkdirAll(npmCache(), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(npmCache(), ".install-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "--prefix", tmp, "--no-save", "--ignore-scripts",
		"--no-audit", "--no-fund", "--silent", "assemblyscript@"+version)
	if msg, err := cmd.CombinedOutput(); err != nil {
		missing(t, "assemblyscript@"+version, fmt.Sprintf("npm install failed (%v): %s", err, msg))
	}
	if err := os.Rename(tmp, prefix); err != nil {
		if _, serr := os.Stat(asc); serr != nil { // not another installer winning the race
			t.Fatalf("installing assemblyscript: %v", err)
		}
	}
	return asc
}

// pinned reads the assemblyscript version from dir/package.json.
func pinned(dir string) (string, error) {
	src, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", err
	}
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(src, &pkg); err != nil {
		return "", fmt.Errorf("%s/package.json: %w", dir, err)
	}
	v := pkg.DevDependencies["assemblyscript"]
	if v == "" {
		return "", fmt.Errorf("%s/package.json pins no assemblyscript", dir)
	}
	return v, nil
}
