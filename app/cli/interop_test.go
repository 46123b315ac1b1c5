package cli_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/cli"
	_ "github.com/danmaku/danmaku/plugins/all" // the built-in plugins, as main.go registers them
)

// bili writes a Bilibili file of entries (starting on line 3) and returns its path.
func bili(t *testing.T, dir, name string, entries ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	write(t, path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<i>\n"+strings.Join(entries, "\n")+"\n</i>\n")
	return path
}

func TestImportAndExportCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "danmaku.db")
	files := repoFiles()
	env := map[string]string{"DANMAKU_DB": db}
	if code, _, stderr := run(t, files, env, "migrate", "up"); code != 0 {
		t.Fatalf("migrate up: %s", stderr)
	}
	file := bili(t, dir, "file.xml",
		`<d p="1.5,1,25,16777215,1600000000,0,cafe,1">one &amp; two</d>`,
		`<d p="2,5,18,255,1600000001,0,cafe,2">top</d>`,
		`<d p="3,7,25,16777215,1600000002,0,cafe,3">advanced</d>`,
		`<d p="4,4,36,0,1600000003,0,beef,4">bottom</d>`)
	broken := bili(t, dir, "broken.xml", `<d p="1,1,25,0">fine</d>`, `<d p="1,1,25,0">x & y</d>`)
	plugins := filepath.Join(dir, "plugins.yaml")
	write(t, plugins, "plugins: [{name: wordfilter, config: {words: [two], action: reject}}]\n")

	steps := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout []string // each must appear, in order
		stderr []string
	}{
		{name: "the room is required", args: []string{"import", file}, code: 2, stderr: []string{"danmaku: import: -room is required\n"}},
		{name: "the file is required", args: []string{"import", "-room", "r"}, code: 2, stderr: []string{"usage: danmaku import [flags] -room ID FILE"}},
		{name: "an unknown room", args: []string{"import", "-room", "r", file}, code: 2, stderr: []string{"danmaku: import: room \"r\" does not exist\n"}},
		{name: "a missing file", args: []string{"import", "-room", "r", filepath.Join(dir, "nope.xml")}, code: 2, stderr: []string{"no such file or directory"}},
		{
			name: "import, creating the room",
			args: []string{"import", "-create", "-room", "r", file},
			stdout: []string{
				"imported 3 of 4 entries (bilibili-xml) into room \"r\" as import 1, seqs 1 to 3\n",
				"skipped 1:\n  unsupported_mode   1\n",
				"first skipped entries:\n  line 5: mode 7 (advanced) is not supported\n",
			},
			stderr: []string{"created room \"r\"\n", "import: 100%  ", " read 4  imported 3  skipped 1\n"},
		},
		{
			name:   "a malformed file imports nothing",
			args:   []string{"import", "-room", "r", broken},
			code:   2,
			stderr: []string{"danmaku: import: bilibili-xml, line 4: malformed XML: invalid character entity & (no semicolon); nothing was imported\n"},
		},
		{
			name:   "the server's plugin config applies, cut to the import plugins",
			args:   []string{"import", "-room", "r", "-plugins", plugins, "-"},
			stdin:  "<i>\n<d p=\"1,1,25,0\">one two</d>\n<d p=\"1,1,25,0\">three</d>\n</i>",
			stdout: []string{"imported 1 of 2 entries", "rejected           1\n", "line 2: rejected by wordfilter: this comment contains a blocked word\n"},
		},
		{name: "an unknown import plugin", args: []string{"import", "-room", "r", "-import-plugins", "wordfiltr", file}, code: 2, stderr: []string{`danmaku: import-plugins: unknown plugin "wordfiltr"`}},
		{
			name: "export as xml to standard output",
			args: []string{"export", "-room", "r"},
			stdout: []string{
				"<chatid>r</chatid>", "<maxlimit>4</maxlimit>",
				`<d p="1.00000,1,25,0,`, `">three</d>`,
				`<d p="1.50000,1,25,16777215,1600000000,0,cafe,`, `">one &amp; two</d>`,
				`<d p="2.00000,5,18,255,1600000001,0,cafe,`, `">top</d>`,
				`<d p="4.00000,4,36,0,1600000003,0,beef,`, `">bottom</d>`, "</i>\n",
			},
		},
		{name: "export as json to a file", args: []string{"export", "-room", "r", filepath.Join(dir, "r.json")}, stderr: []string{"exported 4 comments of room \"r\" to " + filepath.Join(dir, "r.json") + "\n"}},
		{name: "import the json export elsewhere", args: []string{"import", "-room", "copy", "-create", filepath.Join(dir, "r.json")}, stdout: []string{"imported 4 of 4 entries (danmaku-json) into room \"copy\" as import 4, seqs 1 to 4\n"}}, // the malformed file's import is recorded (failed)
		{name: "a bad format", args: []string{"export", "-room", "r", "-format", "yaml"}, code: 2, stderr: []string{"danmaku: export: -format must be xml or json, got \"yaml\"\n"}},
		{name: "export of an unknown room", args: []string{"export", "-room", "nope", filepath.Join(dir, "nope.xml")}, code: 2, stderr: []string{"danmaku: export: room \"nope\" does not exist\n"}},
		{name: "no database", args: []string{"export", "-room", "r", "-db", filepath.Join(dir, "none.db")}, code: 2, stderr: []string{"no database at " + filepath.Join(dir, "none.db")}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			io := cli.IO{Env: func(k string) string { return env[k] }, Stdin: strings.NewReader(st.stdin), Stdout: &stdout, Stderr: &stderr}
			code := cli.Main(context.Background(), st.args, io, files)
			if code != st.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, st.code, stderr.String())
			}
			inOrder(t, "stdout", stdout.String(), st.stdout)
			inOrder(t, "stderr", stderr.String(), st.stderr)
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.xml")); !os.IsNotExist(err) {
		t.Errorf("a failed export left a file behind: %v", err)
	}
	// Both exports of the same comments agree, but for the room.
	_, first, _ := run(t, files, env, "export", "-room", "r", "-format", "json")
	_, second, _ := run(t, files, env, "export", "-room", "copy", "-format", "json")
	unroom := regexp.MustCompile(`"room":("[a-z]+"|\{[^}]*\}),|"id":\d+,|"seq":\d+,`)
	if a, b := unroom.ReplaceAllString(first, ""), unroom.ReplaceAllString(second, ""); a != b {
		t.Fatalf("exports differ:\n%s\n%s", a, b)
	}
}

// inOrder checks that every part appears in s, in order.
func inOrder(t *testing.T, what, s string, parts []string) {
	t.Helper()
	rest := s
	for _, p := range parts {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Fatalf("%s lacks %q (in order):\n%s", what, p, s)
		}
		rest = rest[i+len(p):]
	}
}

func TestImportShowsProgressWithoutATerminal(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "danmaku.db")
	if code, _, stderr := run(t, repoFiles(), nil, "migrate", "up", "-db", db); code != 0 {
		t.Fatal(stderr)
	}
	var entries []string
	for i := range 30_000 {
		entries = append(entries, fmt.Sprintf(`<d p="%d,1,25,16777215">comment number %d</d>`, i, i))
	}
	file := bili(t, dir, "big.xml", entries...)
	code, stdout, stderr := run(t, repoFiles(), nil, "import", "-db", db, "-create", "-room", "big", file)
	if code != 0 || !strings.HasPrefix(stdout, "imported 30000 of 30000 entries") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// A plain line per tenth of the file, then the final counts; no bar.
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if strings.ContainsAny(stderr, "\r\x1b") || len(lines) < 6 || !strings.HasPrefix(lines[1], "import:  ") {
		t.Fatalf("progress:\n%s", stderr)
	}
	if last := lines[len(lines)-1]; !regexp.MustCompile(`^import: 100%  \d+\.\d MiB of \d+\.\d MiB  read 30000  imported 30000  skipped 0$`).MatchString(last) {
		t.Fatalf("last progress line %q", last)
	}
}
