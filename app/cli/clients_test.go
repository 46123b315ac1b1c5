package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/cli"
	"github.com/danmaku/danmaku/app/protocol"
)

// defaultChain runs the server with the moderation chain it runs by default.
func defaultChain(cfg *app.Config) { cfg.Plugins = nil }

func TestSendCommand(t *testing.T) {
	s := apptest.Start(t, defaultChain)
	apptest.CreateRoom(t, s.URL(), "r", "live")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now
	alice := apptest.Token(t, auth.Identity{ID: "alice", Name: "Alice", Roles: []string{auth.RoleViewer}}, time.Hour)
	expired := apptest.Token(t, auth.Identity{ID: "alice", Name: "Alice"}, -time.Minute)
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stdout string // a regexp the whole output must match
		stderr string // part of the error output
	}{
		{name: "stored", args: []string{"-room", "r", "hello", "world"},
			stdout: `^stored comment \d+ in room r \(seq 1\) as guest-[0-9a-f]{4}: hello world\n$`},
		{name: "as the token's user", env: map[string]string{"DANMAKU_TOKEN": alice}, args: []string{"-room", "r", "hi"},
			stdout: `^stored comment \d+ in room r \(seq 2\) as Alice: hi\n$`},
		{name: "styled, as JSON", args: []string{"-room", "r", "-mode", "top", "-color", "#FF0000", "-size", "large", "-time", "3.5", "-json", "red"},
			stdout: `^\{"id":\d+,"room":"r","seq":3,"time":3.5,"text":"red","mode":"top","color":"#ff0000","size":"large",.*\}\n$`},
		{name: "rejected by the default chain", args: []string{"-room", "r", "see http://spam.example"},
			code: 1, stderr: "danmaku: send: rejected: "},
		{name: "invalid", args: []string{"-room", "r", "-color", "red", "x"}, code: 1, stderr: "danmaku: send: invalid: color must look like #rrggbb\n"},
		{name: "an expired token", args: []string{"-token", expired, "-room", "r", "late"}, code: 1, stderr: "unauthorized: token expired"},
		{name: "an unknown room", args: []string{"-room", "nope", "x"}, code: 1, stderr: `joining room "nope": not_found`},
		{name: "no room", args: []string{"hello"}, code: 2, stderr: "danmaku: send: -room is required\n"},
		{name: "no text", args: []string{"-room", "r"}, code: 2, stderr: "usage: danmaku send"},
		{name: "no server", args: []string{"-addr", closed, "-room", "r", "x"}, code: 2, stderr: "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"send", "-addr", s.URL()}, tc.args...)
			code, stdout, stderr := run(t, cli.Files{}, tc.env, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if tc.stdout != "" && !regexp.MustCompile(tc.stdout).MatchString(stdout) {
				t.Errorf("stdout %q does not match %s", stdout, tc.stdout)
			}
			if tc.stderr != "" && !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, tc.stderr)
			}
			if tc.code == 0 && stderr != "" {
				t.Errorf("stderr %q, want nothing", stderr)
			}
		})
	}
	if got := stored(t, s.URL(), "r"); len(got) != 3 {
		t.Errorf("the room holds %d comments, want the 3 sent", len(got))
	}
}

// TestTailJSON follows a room from a seq, through a server restart, and
// prints each comment once as a JSON line.
func TestTailJSON(t *testing.T) {
	s := apptest.Start(t)
	apptest.CreateRoom(t, s.URL(), "live", "live")
	post(t, s.URL(), "live", "old")
	want := []protocol.Comment{post(t, s.URL(), "live", "since one")}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, lines := pipeLines(t)
	var stderr strings.Builder
	exit := make(chan int)
	go func() {
		code := cli.Main(ctx, []string{"tail", "-addr", s.URL(), "-room", "live", "-since", "1", "-json"},
			cli.IO{Env: func(string) string { return "" }, Stdout: out, Stderr: &stderr}, cli.Files{})
		out.Close()
		exit <- code
	}()
	got := []string{nextLine(t, lines)}
	want = append(want, post(t, s.URL(), "live", "live one"))
	got = append(got, nextLine(t, lines))

	next := s.Successor(t) // tail loses its connection, and retries
	if err := next.Start(); err != nil {
		t.Fatal(err)
	}
	want = append(want, post(t, s.URL(), "live", "after the restart"))
	got = append(got, nextLine(t, lines))
	cancel()
	if code := <-exit; code != 0 {
		t.Fatalf("tail exited with %d after the interrupt: %s", code, stderr.String())
	}
	if rest := collect(lines); len(rest) > 0 {
		t.Errorf("more lines: %q", rest)
	}
	for i, line := range got {
		var c protocol.Comment
		if err := json.Unmarshal([]byte(line), &c); err != nil || c != want[i] {
			t.Errorf("line %d is %s (%v), want %+v", i, line, err, want[i])
		}
	}
	if !strings.Contains(stderr.String(), "reconnected") {
		t.Errorf("stderr %q does not say it reconnected", stderr.String())
	}
}

// virtualClock is a clock whose time moves only when the relay sleeps.
type virtualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *virtualClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return ctx.Err()
}

// TestRelayPacing relays a file, out of order as files often are, at 2×
// on a virtual clock: each comment goes out at its video time's offset
// from the first, halved, and the room stores them in that order.
func TestRelayPacing(t *testing.T) {
	s := apptest.Start(t, defaultChain)
	apptest.CreateRoom(t, s.URL(), "show", "live")
	file := bili(t, t.TempDir(), "show.xml",
		`<d p="3,1,25,16777215,0,0,cafe,1">c</d>`,
		`<d p="1,1,25,16777215,0,0,cafe,2">a</d>`,
		`<d p="9,7,25,16777215,0,0,cafe,3">mode 7: skipped</d>`,
		`<d p="1,5,25,255,0,0,cafe,4">a2</d>`,
		`<d p="7,1,25,16777215,0,0,cafe,5">see http://spam.example</d>`,
		`<d p="2.5,4,36,16777215,0,0,beef,6">b</d>`)
	clock := &virtualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var stdout, stderr strings.Builder
	code := cli.Main(context.Background(), []string{"relay", "-addr", s.URL(), "-room", "show", "-speed", "2", file},
		cli.IO{Env: func(string) string { return "" }, Stdout: &stdout, Stderr: &stderr, Clock: clock}, cli.Files{})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	room := stored(t, s.URL(), "show")
	want := []struct {
		offset string
		text   string
		time   float64
	}{{"+0.000s", "a", 1}, {"+0.000s", "a2", 1}, {"+0.750s", "b", 2.5}, {"+1.000s", "c", 3}}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) != len(want) || len(room) != len(want) {
		t.Fatalf("stdout %q and %d stored comments, want %d of each", lines, len(room), len(want))
	}
	for i, w := range want {
		if line := fmt.Sprintf("%s %d %s", w.offset, room[i].ID, w.text); lines[i] != line || room[i].Text != w.text || room[i].Time.Float() != w.time {
			t.Errorf("comment %d: printed %q, stored %q at %v; want %q at %v", i, lines[i], room[i].Text, room[i].Time.Float(), line, w.time)
		}
	}
	if room[1].Mode != "top" || room[1].Color != "#0000ff" || room[2].Mode != "bottom" || room[2].Size != "large" {
		t.Errorf("styles not kept: %+v, %+v", room[1], room[2])
	}
	for _, part := range []string{"relaying 5 comments (1 skipped in the file) spanning 6s at 2x\n",
		"+3.000s refused (rejected: ", "relayed 4 of 5 comments in 3s; 1 refused: rejected 1\n"} {
		if !strings.Contains(stderr.String(), part) {
			t.Errorf("stderr %q lacks %q", stderr.String(), part)
		}
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a speed of 0", []string{"-room", "show", "-speed", "0", file}, "-speed must be positive"},
		{"no file", []string{"-room", "show"}, "usage: danmaku relay"},
		{"not a danmaku file", []string{"-room", "show", writeTemp(t, "hello")}, "neither Bilibili XML nor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, cli.Files{}, nil, append([]string{"relay", "-addr", s.URL()}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

// post stores a comment over REST and returns it.
func post(t *testing.T, base, room, text string) protocol.Comment {
	t.Helper()
	var c protocol.Comment
	if status := apptest.Call(t, apptest.HTTPClient(t), "POST", base+"/api/rooms/"+room+"/comments", map[string]any{"text": text}, &c); status != http.StatusCreated {
		t.Fatalf("POST a comment: status %d", status)
	}
	return c
}

// stored lists a room's comments in seq order, over REST.
func stored(t *testing.T, base, room string) []protocol.Comment {
	t.Helper()
	var body struct{ Comments []protocol.Comment }
	if status := apptest.Call(t, apptest.HTTPClient(t), "GET", base+"/api/rooms/"+room+"/comments?after_seq=0", nil, &body); status != http.StatusOK {
		t.Fatalf("GET comments: status %d", status)
	}
	return body.Comments
}

// pipeLines returns a writer for a command's output and the lines written to it.
func pipeLines(t *testing.T) (io.WriteCloser, <-chan string) {
	t.Helper()
	r, w := io.Pipe()
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { r.Close() })
	return w, lines
}

// nextLine waits for the next line of output.
func nextLine(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case line, ok := <-lines:
		if !ok {
			t.Fatal("the output ended")
		}
		return line
	case <-time.After(apptest.WaitFor):
		t.Fatalf("no line within %v", apptest.WaitFor)
		return ""
	}
}

// collect returns the lines left once the output has ended.
func collect(lines <-chan string) []string {
	var rest []string
	for line := range lines {
		rest = append(rest, line)
	}
	return slices.Clip(rest)
}

// writeTemp writes content to a new file and returns its path.
func writeTemp(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "file")
	write(t, path, content)
	return path
}
