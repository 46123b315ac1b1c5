package app_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/danmaku/danmaku/"

// webStack are the packages only the transports may import.
var webStack = []string{"github.com/gofiber/", "github.com/valyala/fasthttp", "github.com/olahol/melody", "github.com/gorilla/websocket"}

// TestLayers checks that dependencies run one way, transports over
// services over store, hub and plugins (docs/architecture.md), using the
// compiler's own view of each package's imports, direct and indirect.
func TestLayers(t *testing.T) {
	deps := listDeps(t, "./...")
	transports := []string{"app/httpapi", "app/socket", "app/pages", "app/cli"}
	services := []string{"app/ingest", "app/moderation", "app/transfer", "app/rooms", "app/feedback", "app/heat", "app/sessions", "app/privacy", "app/segments"}
	bottom := []string{"app/store", "app/hub", "app/protocol", "plugins", "app/auth", "app/errs", "app/interop"}
	rules := []struct {
		name      string
		packages  []string // module-relative prefixes
		forbidden []string // import path prefixes
	}{
		{"services import no web stack", services, webStack},
		{"store, hub, protocol and plugins import no web stack", bottom, webStack},
		{"services import no transport", services, qualify(transports)},
		{"store, hub, protocol and plugins import no service or transport", bottom, qualify(append(services, transports...))},
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			checked := 0
			for pkg, imports := range deps {
				if !under(pkg, qualify(r.packages)) {
					continue
				}
				checked++
				for _, imp := range imports {
					if under(imp, r.forbidden) {
						t.Errorf("%s imports %s", strings.TrimPrefix(pkg, module), imp)
					}
				}
			}
			if checked == 0 {
				t.Fatalf("no package matched %v: the rule checks nothing", r.packages)
			}
		})
	}
}

// listDeps returns every non-test package of pattern with all the packages
// it depends on, directly or not.
func listDeps(t *testing.T, pattern string) map[string][]string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list imports: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-json=ImportPath,Deps", pattern)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list: %v", err)
		}
		deps[p.ImportPath] = p.Deps
	}
	return deps
}

func qualify(rel []string) []string {
	out := make([]string, len(rel))
	for i, r := range rel {
		out[i] = module + r
	}
	return out
}

// under reports whether pkg is one of prefixes or below one.
func under(pkg string, prefixes []string) bool {
	for _, p := range prefixes {
		if pkg == p || strings.HasPrefix(pkg, strings.TrimSuffix(p, "/")+"/") || (strings.HasSuffix(p, "/") && strings.HasPrefix(pkg, p)) {
			return true
		}
	}
	return false
}
