package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/cli"
)

// TestServeWithEmbeddedFiles runs the binary's own entry point in-process,
// as `go run .` would, with the files embedded into it.
func TestServeWithEmbeddedFiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "danmaku.db")
	out, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	go func() {
		env := func(k string) string {
			if k == "DANMAKU_ADDR" {
				return "127.0.0.1:0" // the environment fills flags not given
			}
			return ""
		}
		exit <- cli.Main(ctx, []string{"-db", db, "-log-level", "error"}, cli.IO{Env: env, Stdout: outW, Stderr: io.Discard}, embedded())
		outW.Close()
	}()

	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the startup line: %v", err)
	}
	i := strings.Index(line, "http://127.0.0.1:")
	if i < 0 {
		t.Fatalf("startup line %q has no URL", line)
	}
	base := strings.TrimSpace(line[i:])
	go io.Copy(io.Discard, out)

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

	cancel() // what SIGINT does
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit code %d after shutdown, want 0", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop")
	}
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

func TestLoadtestSubcommand(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"bad flag value", []string{"loadtest", "-mode", "xml"}, "want json or raw"},
		{"invalid plan", []string{"loadtest", "-viewers", "0", "-senders", "0"}, "need at least one socket"},
		{"nothing listening", []string{"loadtest", "-addr", addr, "-viewers", "3", "-senders", "0", "-rate", "0"}, "refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := cli.Main(context.Background(), tc.args, cli.IO{Env: func(string) string { return "" }, Stdout: &stdout, Stderr: &stderr}, embedded())
			if code != 2 || !strings.Contains(stderr.String(), tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tc.stderr)
			}
		})
	}
}
