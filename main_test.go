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
	"syscall"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/cli"
)

// TestServeWithEmbeddedFiles runs the binary's own entry point in-process,
// as `go run .` would, with the files embedded into it.
func TestServeWithEmbeddedFiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "danmaku.db")
	ctx, cancel := context.WithCancel(context.Background())
	base, exit := serveInProcess(t, ctx, []string{"-db", db, "-log-level", "error"}, io.Discard)

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
	waitExit(t, exit)
}

// serveInProcess runs the binary's entry point with args in this process
// on a free port, logging to stderr, and returns its base URL once it
// listens, and a channel with its exit code.
func serveInProcess(t *testing.T, ctx context.Context, args []string, stderr io.Writer) (string, <-chan int) {
	t.Helper()
	out, outW := io.Pipe()
	exit := make(chan int, 1)
	go func() {
		env := func(k string) string {
			if k == "DANMAKU_ADDR" {
				return "127.0.0.1:0" // the environment fills flags not given
			}
			return ""
		}
		exit <- cli.Main(ctx, args, cli.IO{Env: env, Stdout: outW, Stderr: stderr}, embedded())
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
	go io.Copy(io.Discard, out)
	return strings.TrimSpace(line[i:]), exit
}

// waitExit waits for the in-process server to stop and checks it exited cleanly.
func waitExit(t *testing.T, exit <-chan int) {
	t.Helper()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit code %d, want 0", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop")
	}
}

func TestCommandLineErrors(t *testing.T) {
	badPlugins := filepath.Join(t.TempDir(), "plugins.yaml")
	if err := os.WriteFile(badPlugins, []byte("plugins:\n  - {name: wordfilter, config: {action: zap}}\n  - {name: links, config: {action: burn}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		code    int
		stdout  string
		stderr  string
		oneLine bool
	}{
		{"bad plugins file", []string{"-plugins", badPlugins}, nil, 2, "", `plugins[0] wordfilter: config.action: must be mask or reject, got "zap"; plugins[1] links: config.action: must be`, true},
		{"missing plugins file", nil, map[string]string{"DANMAKU_PLUGINS": "/nonexistent/plugins.yaml"}, 2, "", "/nonexistent/plugins.yaml: no such file or directory (plugins is set by DANMAKU_PLUGINS)", true},
		{"version", []string{"version"}, nil, 0, "danmaku dev", "", false},
		{"unknown command", []string{"dance"}, nil, 2, "", `unknown command "dance"`, false},
		{"unknown flag", []string{"-nope"}, nil, 2, "", "flag provided but not defined: -nope (danmaku serve -h lists the flags)", true},
		{"bad value", []string{"-max-text", "many"}, nil, 2, "", `invalid value "many" for flag -max-text`, true},
		{"help", []string{"-h"}, nil, 0, "-max-text int", "", false},
		{"bad env value", nil, map[string]string{"DANMAKU_MAX_TEXT": "lots"}, 2, "", "DANMAKU_MAX_TEXT", false},
		{"out of range", []string{"-sync", "sometimes"}, nil, 2, "", "sync must be normal or full", false},
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
			if tc.oneLine && strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0 {
				t.Errorf("stderr %q, want one line", stderr.String())
			}
		})
	}
}

// TestSIGHUPReloadsThePlugins edits the plugin config and sends the process
// SIGHUP while the server runs, as an operator would.
func TestSIGHUPReloadsThePlugins(t *testing.T) {
	dir := t.TempDir()
	pluginsFile := filepath.Join(dir, "plugins.yaml")
	writeConfig := func(src string) {
		t.Helper()
		if err := os.WriteFile(pluginsFile, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeConfig(`plugins: [{name: wordfilter, config: {words: [alpha], action: reject}}]`)

	logW, waitLog := logMessages(t)
	ctx, cancel := context.WithCancel(context.Background())
	base, exit := serveInProcess(t, ctx, []string{"-db", filepath.Join(dir, "danmaku.db"), "-plugins", pluginsFile, "-log-format", "json"}, logW)
	defer logW.Close()
	post := func(text string) int { return postComment(t, base, text) }
	if a, b := post("alpha"), post("beta"); a != http.StatusUnprocessableEntity || b != http.StatusCreated {
		t.Fatalf("before SIGHUP: alpha %d, beta %d; want 422, 201", a, b)
	}
	writeConfig(`plugins: [{name: wordfilter, config: {words: [beta], action: reject}}]`)
	hup(t)
	waitLog("moderation plugins reloaded")
	if a, b := post("alpha"), post("beta"); a != http.StatusCreated || b != http.StatusUnprocessableEntity {
		t.Fatalf("after SIGHUP: alpha %d, beta %d; want 201, 422", a, b)
	}
	writeConfig(`plugins: [{name: wordfilter, config: {action: zap}}]`)
	hup(t)
	waitLog("plugin reload failed, the running chains stay")
	if b := post("beta"); b != http.StatusUnprocessableEntity {
		t.Fatalf("after a bad reload: beta %d, want 422 from the chain that stayed", b)
	}

	cancel()
	waitExit(t, exit)
}

// logMessages returns a writer for a server's JSON log and a function that
// waits for a line with a given message. Lines are read in the background
// so the server never blocks on them.
func logMessages(t *testing.T) (io.WriteCloser, func(msg string)) {
	t.Helper()
	logs, logW := io.Pipe()
	messages := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var line struct{ Msg string }
			if json.Unmarshal(sc.Bytes(), &line) == nil {
				select {
				case messages <- line.Msg:
				default:
				}
			}
		}
	}()
	return logW, func(msg string) {
		t.Helper()
		timeout := time.After(2 * time.Minute) // a reload may compile a module, slow under -race
		for {
			select {
			case m := <-messages:
				if m == msg {
					return
				}
			case <-timeout:
				t.Fatalf("no %q in the log", msg)
			}
		}
	}
}

// postComment posts a comment to room demo over REST and returns the status.
func postComment(t *testing.T, base, text string) int {
	t.Helper()
	resp, err := http.Post(base+"/api/rooms/demo/comments", "application/json", strings.NewReader(`{"text":"`+text+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// hup sends this process SIGHUP; serve listens for it from before its
// startup line, so the test process survives it.
func hup(t *testing.T) {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
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

// TestLoadtestSubcommandMeasuresARealServer runs `danmaku loadtest -json`
// through the command line against a real server and reads its report.
func TestLoadtestSubcommandMeasuresARealServer(t *testing.T) {
	s := apptest.Start(t)
	apptest.CreateRoom(t, s.URL(), "lt0", "live")
	var stdout, stderr strings.Builder
	code := cli.Main(context.Background(), []string{"loadtest", "-addr", s.Addr(), "-rooms", "1", "-viewers", "20", "-senders", "2",
		"-rate", "20", "-duration", "1s", "-drain", "10s", "-json"}, cli.IO{Env: func(string) string { return "" }, Stdout: &stdout, Stderr: &stderr}, embedded())
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	var rep struct{ Sent, Acked, Expected, Delivered, Lost int64 }
	if err := json.Unmarshal([]byte(stdout.String()), &rep); err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, stdout.String())
	}
	if rep.Sent == 0 || rep.Acked != rep.Sent || rep.Expected != rep.Acked*22 || rep.Delivered != rep.Expected || rep.Lost != 0 {
		t.Errorf("report %+v: want every comment acked and delivered to all 22 sockets", rep)
	}
}
