package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/cli"
)

func repoFiles() cli.Files {
	return cli.Files{Templates: os.DirFS("../../templates"), Assets: os.DirFS("../../assets"), Migrations: os.DirFS("../../migrations")}
}

// TestServeFromConfigFile starts the server with its settings in a YAML
// file, one of them overridden from the environment, and checks that it
// listens where the file says, uses the database the file names, and is
// ready.
func TestServeFromConfigFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "from-file.db")
	config := filepath.Join(dir, "danmaku.yaml")
	write(t, config, "addr: 127.0.0.1:1\ndb: "+db+"\nlog-level: error\nseed-demo: false\n")
	env := map[string]string{"DANMAKU_ADDR": "127.0.0.1:0"} // the environment wins over the file

	out, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	go func() {
		exit <- cli.Main(ctx, []string{"-config", config}, cli.IO{Env: func(k string) string { return env[k] }, Stdout: outW, Stderr: io.Discard}, repoFiles())
		outW.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the startup line: %v", err)
	}
	go io.Copy(io.Discard, out)
	i := strings.Index(line, "http://127.0.0.1:")
	if i < 0 {
		t.Fatalf("startup line %q", line)
	}
	base := strings.TrimSpace(line[i:])
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("the file's database was not created: %v", err)
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Status string }
	err = json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || h.Status != "ok" {
		t.Fatalf("readyz: %d %+v %v", resp.StatusCode, h, err)
	}
	// seed-demo: false in the file: no demo room.
	resp, err = http.Get(base + "/api/rooms/demo")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("demo room: %d, want 404", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop")
	}
}

func TestServeRefusesBadSettings(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, yaml string
		env        map[string]string
		stderr     string // FILE stands for the config file
	}{
		{"out of range in the file", "max-text: 20000\n", nil, "danmaku: config: max-text must be from 1 to 10000, got 20000 (max-text is set by FILE line 1)\n"},
		{"out of range in the environment", "", map[string]string{"DANMAKU_SEND_BUFFER": "2"}, "danmaku: config: send-buffer must be at least 16 frames, got 2 (send-buffer is set by DANMAKU_SEND_BUFFER)\n"},
		{"bad log level in the file", "log-level: loud\n", nil, "danmaku: -log-level: slog: level string \"loud\": unknown name (log-level is set by FILE line 1)\n"},
		{"unknown key", "adr: x\n", nil, "danmaku: FILE line 1: unknown setting \"adr\"\n"},
		{"unparsable value", "ping-every: often\n", nil, "danmaku: invalid value \"often\" for ping-every (from FILE line 1): parse error\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml")
			write(t, config, tc.yaml)
			code, stdout, stderr := run(t, repoFiles(), tc.env, "-config", config, "-db", filepath.Join(dir, "x.db"), "-addr", "127.0.0.1:0")
			want := strings.ReplaceAll(tc.stderr, "FILE", config)
			if code != 2 || stdout != "" || stderr != want {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 2, %q", code, stdout, stderr, want)
			}
		})
	}
}
