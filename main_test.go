package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/cli"
)

// TestServeWithEmbeddedFiles runs the binary's own entry point in-process,
// as `go run .` would, with the files embedded into it.
func TestServeWithEmbeddedFiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "danmaku.db")
	// The environment fills flags not given.
	base, stop := startMain(t, []string{"-db", db, "-log-level", "error"}, map[string]string{"DANMAKU_ADDR": "127.0.0.1:0"})

	if _, err := os.Stat(db); err != nil {
		t.Fatalf("database not created: %v", err)
	}
	for _, path := range []string{"/api/rooms/demo", "/", "/assets/video/demo.mp4"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	var room struct{ ID, Kind string }
	resp, err := http.Get(base + "/api/rooms/demo")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&room); err != nil || room.ID != "demo" {
		t.Fatalf("demo room: %+v, %v", room, err)
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit code %d after shutdown, want 0", code)
	}
}

// startMain runs cli.Main with args and env in the background, waits for
// its startup line, and returns the server's base URL and a stop function
// that does what SIGINT does and returns the exit code (once; later calls
// return the same code).
func startMain(t *testing.T, args []string, env map[string]string) (string, func() int) {
	t.Helper()
	out, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	go func() {
		exit <- cli.Main(ctx, args, cli.IO{Env: func(k string) string { return env[k] }, Stdout: outW, Stderr: io.Discard}, embedded())
		outW.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("reading the startup line: %v", err)
	}
	go io.Copy(io.Discard, out)
	i := strings.Index(line, "http://127.0.0.1:")
	if i < 0 {
		cancel()
		t.Fatalf("startup line %q has no URL", line)
	}
	code := -1
	var once sync.Once
	stop := func() int {
		t.Helper()
		once.Do(func() {
			cancel()
			select {
			case code = <-exit:
			case <-time.After(30 * time.Second):
				t.Error("server did not stop")
			}
		})
		return code
	}
	return strings.TrimSpace(line[i:]), stop
}

func TestCommandLineErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout string
		stderr string
	}{
		{"version", []string{"version"}, nil, 0, "danmaku dev", ""},
		{"unknown command", []string{"dance"}, nil, 2, "", `unknown command "dance"`},
		{"unknown flag", []string{"-nope"}, nil, 2, "", "flag provided but not defined: -nope"},
		{"bad value", []string{"-max-text", "many"}, nil, 2, "", "invalid value"},
		{"bad env value", nil, map[string]string{"DANMAKU_MAX_TEXT": "lots"}, 2, "", "DANMAKU_MAX_TEXT"},
		{"out of range", []string{"-sync", "sometimes"}, nil, 2, "", "sync must be normal or full"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			env := func(k string) string { return tc.env[k] }
			args := append([]string{}, tc.args...)
			if len(args) == 0 || args[0] != "version" {
				args = append(args, "-db", filepath.Join(t.TempDir(), "x.db"), "-addr", "127.0.0.1:0")
			}
			code := cli.Main(context.Background(), args, cli.IO{Env: env, Stdout: &stdout, Stderr: &stderr}, embedded())
			if code != tc.code || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}
