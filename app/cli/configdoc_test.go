package cli

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app"
)

var update = flag.Bool("update", false, "rewrite the settings table in docs/configuration.md")

const (
	docPath    = "../../docs/configuration.md"
	tableBegin = "<!-- settings:begin — generated from the flags; regenerate with: go test ./app/cli -run TestConfigurationDoc -update -->\n"
	tableEnd   = "<!-- settings:end -->\n"
)

// settingsTable renders every setting of the serve flag set, in name order,
// plus DANMAKU_SECRET, which is deliberately not a flag.
func settingsTable() string {
	cfg := app.DefaultConfig()
	level, format := "info", "text"
	var b strings.Builder
	b.WriteString("| name | flag | environment variable | YAML key | default | meaning |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	serveFlags(&cfg, &level, &format).VisitAll(func(f *flag.Flag) {
		key := "`" + f.Name + "`"
		if f.Name == configFlag {
			key = "—"
		}
		def := "(none)"
		if f.DefValue != "" {
			def = "`" + f.DefValue + "`"
		}
		fmt.Fprintf(&b, "| %s | `-%s` | `%s` | %s | %s | %s |\n", f.Name, f.Name, envName(f.Name), key, def, strings.ReplaceAll(f.Usage, "|", `\|`))
	})
	b.WriteString("| secret | — | `DANMAKU_SECRET` | — | generated into `secret.key` next to a SQLite database; required with `-db postgres://…` | signs session cookies and tokens; at least 32 characters, the same on every node; environment only, because flags show in `ps` |\n")
	return b.String()
}

// TestConfigurationDoc fails when the table in docs/configuration.md is not
// the one the flags give, so the documentation cannot drift from the code.
func TestConfigurationDoc(t *testing.T) {
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	begin, end := strings.Index(doc, tableBegin), strings.Index(doc, tableEnd)
	if begin < 0 || end < begin {
		t.Fatalf("%s lacks the markers %q and %q", docPath, tableBegin, tableEnd)
	}
	want := doc[:begin+len(tableBegin)] + settingsTable() + doc[end:]
	if *update {
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if doc != want {
		t.Fatalf("%s is out of date with the flags; run: go test ./app/cli -run TestConfigurationDoc -update", docPath)
	}
}

// TestConfigurationDocExample checks that the example file in the
// documentation is one the server accepts.
func TestConfigurationDocExample(t *testing.T) {
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "```yaml\n")
	example, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatalf("%s has no yaml example", docPath)
	}
	cfg, _, from, err := parseServe(t, []string{"-config", writeConfig(t, example)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Sync != "full" || cfg.MaxTextRunes != 80 || len(cfg.AllowedOrigins) != 2 || len(from) < 8 {
		t.Fatalf("example gave %+v from %v", cfg, from)
	}
}
