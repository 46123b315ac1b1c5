package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/cli"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// runCommand runs a danmaku command in-process and returns its exit code
// and output; stdin answers its questions.
func runCommand(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	io := cli.IO{Env: func(string) string { return "" }, Stdout: &stdout, Stderr: &stderr}
	if stdin != "" {
		io.Stdin = strings.NewReader(stdin)
	}
	root := apptest.RepoRoot(t)
	files := cli.Files{Migrations: os.DirFS(filepath.Join(root, "migrations")), PostgresMigrations: os.DirFS(filepath.Join(root, "migrations", "postgres"))}
	code := cli.Main(context.Background(), args, io, files)
	return code, stdout.String(), stderr.String()
}

// commentStream posts comments to room one after another until stopped,
// and keeps those the server acknowledged (201), in order.
type commentStream struct {
	mu    sync.Mutex
	acked []protocol.Comment
	stop  chan struct{}
	done  chan error
}

func streamComments(t *testing.T, s *testServer, room string) *commentStream {
	t.Helper()
	cs := &commentStream{stop: make(chan struct{}), done: make(chan error, 1)}
	hc := httpClient(t)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-cs.stop:
				cs.done <- nil
				return
			default:
			}
			body, _ := json.Marshal(map[string]any{"text": fmt.Sprintf("stream %d", i), "time": 1})
			resp, err := hc.Post(s.URL()+"/api/rooms/"+room+"/comments", "application/json", bytes.NewReader(body))
			if err != nil {
				cs.done <- err
				return
			}
			var c protocol.Comment
			err = json.NewDecoder(resp.Body).Decode(&c)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated || err != nil {
				cs.done <- fmt.Errorf("comment %d: status %d, %v", i, resp.StatusCode, err)
				return
			}
			cs.mu.Lock()
			cs.acked = append(cs.acked, c)
			cs.mu.Unlock()
		}
	}()
	return cs
}

// soFar returns the comments acknowledged until now.
func (cs *commentStream) soFar() []protocol.Comment {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return append([]protocol.Comment(nil), cs.acked...)
}

// waitFor waits until at least n comments were acknowledged.
func (cs *commentStream) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for len(cs.soFar()) < n {
		select {
		case err := <-cs.done:
			t.Fatalf("the stream stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d comments acknowledged within %s", len(cs.soFar()), n, waitFor)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (cs *commentStream) end(t *testing.T) {
	t.Helper()
	close(cs.stop)
	if err := <-cs.done; err != nil {
		t.Fatalf("the stream failed: %v", err)
	}
}

func TestBackupWhileCommentsArriveAndRestore(t *testing.T) {
	s := startServer(t)
	db := s.cfg.DBPath
	file := filepath.Join(t.TempDir(), "backup.db")

	stream := streamComments(t, s, "demo")
	stream.waitFor(t, 200)
	before := stream.soFar() // every one of these was acknowledged before the backup began
	code, out, errOut := runCommand(t, "", "backup", "-db", db, file)
	if code != 0 || !strings.Contains(out, "integrity_check ok") || !strings.Contains(errOut, "backup: 100%") {
		t.Fatalf("backup: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	during := len(stream.soFar()) - len(before)
	stream.waitFor(t, len(before)+during+20) // and the server went on taking comments
	stream.end(t)
	t.Logf("%d comments acknowledged before the backup, %d while it ran", len(before), during)

	// A restore is refused while the server has the database open.
	if code, _, errOut := runCommand(t, "", "restore", "-db", db, "-yes", file); code == 0 || !strings.Contains(errOut, "stop it first") {
		t.Fatalf("restore under a running server: exit %d, %s; want refused", code, errOut)
	}
	s.stop(t)
	// Without -yes it asks, and anything but yes changes nothing.
	if code, _, errOut := runCommand(t, "no\n", "restore", "-db", db, file); code == 0 || !strings.Contains(errOut, "Type yes") || !strings.Contains(errOut, "not confirmed") {
		t.Fatalf("restore answered no: exit %d, %s", code, errOut)
	}
	if code, out, errOut := runCommand(t, "yes\n", "restore", "-db", db, file); code != 0 || !strings.Contains(out, "restored "+db) {
		t.Fatalf("restore: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if _, err := sqlite.Check(context.Background(), db); err != nil {
		t.Fatalf("the restored database: %v", err)
	}

	restored := startWith(t, s.cfg)
	var got struct{ Comments []protocol.Comment }
	if status := call(t, httpClient(t), "GET", restored.URL()+"/api/rooms/demo/comments?after_seq=0&limit=5000", nil, &got); status != http.StatusOK {
		t.Fatalf("reading the restored room: %d", status)
	}
	have := map[int64]int64{}
	for _, c := range got.Comments {
		have[c.ID] = c.Seq
	}
	for _, c := range before {
		if seq, ok := have[c.ID]; !ok || seq != c.Seq {
			t.Fatalf("comment %d (seq %d), acknowledged before the backup began, is not in the restored database", c.ID, c.Seq)
		}
	}
}
