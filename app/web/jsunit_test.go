package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// requireTool finds an external program the test needs. Locally a missing
// tool skips the test with a hint; in CI (CI=true) it fails, so a machine
// without it can never pass silently.
func requireTool(t *testing.T, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missingTool(t, name, hint)
	}
	return p
}

var passLine = regexp.MustCompile(`(?m)^# pass (\d+)$`)

// TestJSUnit runs the JavaScript unit tests in testdata/js with `node --test`.
func TestJSUnit(t *testing.T) {
	node := requireTool(t, "node", "install Node.js 20+ (apt-get install -y nodejs) to run the assets/js unit tests")

	files, err := filepath.Glob(filepath.Join("testdata", "js", "*.test.mjs"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no JS test files found in testdata/js (err=%v)", err)
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"--test", "--test-reporter=tap"}, files...)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = filepath.Join("testdata", "js")
	cmd.Env = append(os.Environ(), "NODE_OPTIONS=", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test failed: %v\n%s", err, out)
	}
	m := passLine.FindSubmatch(out)
	if m == nil {
		t.Fatalf("could not find the pass count in node's output:\n%s", out)
	}
	if n, _ := strconv.Atoi(string(m[1])); n == 0 {
		t.Fatalf("node ran no passing test:\n%s", out)
	}
	t.Logf("node --test: %s JS tests passed in %d files", m[1], len(files))
}
