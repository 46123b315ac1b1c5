package app_test

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/internal/pgtest"
)

// TestStorageTestsAgainOnPostgreSQL runs the server's storage-minded tests
// (the pattern in .ci/postgres-tests) again in a child of this test binary
// with DANMAKU_TEST_DB=postgres, so that `go test ./...` covers both
// backends with one command.
func TestStorageTestsAgainOnPostgreSQL(t *testing.T) {
	if apptest.OnPostgres() {
		t.Skip("this run is the PostgreSQL run")
	}
	pgtest.Shared(t) // skips locally without PostgreSQL, fails in CI
	pattern, err := os.ReadFile("../.ci/postgres-tests")
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	timeout := 20 * time.Minute
	if d, ok := t.Deadline(); ok {
		timeout = time.Until(d) - 30*time.Second
	}
	cmd := exec.CommandContext(t.Context(), exe, "-test.run", strings.TrimSpace(string(pattern)),
		"-test.count=1", "-test.v", "-test.timeout="+timeout.String())
	cmd.Env = append(os.Environ(), apptest.DBEnv+"=postgres")
	out, err := cmd.CombinedOutput()
	passed := bytes.Count(out, []byte("\n--- PASS: Test"))
	failed := bytes.Count(out, []byte("--- FAIL: "))
	if err != nil || failed > 0 {
		t.Fatalf("the PostgreSQL run failed (%v): %d passed, %d failed; its failures:\n%s", err, passed, failed, failures(out))
	}
	if passed < 20 {
		t.Fatalf("the PostgreSQL run passed only %d tests: is .ci/postgres-tests right?\n%s", passed, tail(out, 40))
	}
	t.Logf("the PostgreSQL run passed %d tests", passed)
}

// failures keeps the lines of a verbose test run that tell why it failed.
func failures(out []byte) string {
	var b strings.Builder
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, "--- FAIL") || strings.Contains(line, "_test.go:") || strings.HasPrefix(line, "panic") || strings.HasPrefix(line, "FAIL") {
			b.WriteString(line)
		}
	}
	if b.Len() == 0 {
		return tail(out, 60)
	}
	return b.String()
}

// tail is the last n lines of out.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
