package client_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
)

// TestImportsStayLight: the client depends on nothing of the server's but
// the shared wire types (app/protocol, with its error codes in app/errs),
// so a bot does not build Fiber, melody or SQLite. (go test puts its own
// go first on PATH.)
func TestImportsStayLight(t *testing.T) {
	for _, tc := range []struct {
		pkg     string
		allowed []string // every non-standard package it may depend on
	}{
		{"./client", []string{"github.com/danmaku/danmaku/client", "github.com/danmaku/danmaku/app/protocol",
			"github.com/danmaku/danmaku/app/errs", "github.com/gorilla/websocket"}},
		{"./app/protocol", []string{"github.com/danmaku/danmaku/app/protocol", "github.com/danmaku/danmaku/app/errs"}},
	} {
		t.Run(tc.pkg, func(t *testing.T) {
			cmd := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", tc.pkg)
			cmd.Dir = apptest.RepoRoot(t)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				if !slices.Contains(tc.allowed, dep) {
					t.Errorf("%s depends on %s", tc.pkg, dep)
				}
			}
		})
	}
}
