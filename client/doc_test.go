package client_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/client"
)

// botFile is the example docs/client.md shows in full.
const botFile = "client/examples/bot/main.go"

// TestDocBotRuns: the bot in docs/client.md is the file in the repository,
// word for word, and it does what the doc says against a real server: it
// greets the demo room, prints the likes on its greeting, and leaves on
// an interrupt.
func TestDocBotRuns(t *testing.T) {
	root := apptest.RepoRoot(t)
	src, err := os.ReadFile(filepath.Join(root, botFile))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "client.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "<!-- the file "+botFile)
	if ok {
		_, block, ok = strings.Cut(block, "```go\n")
	}
	if ok {
		block, _, ok = strings.Cut(block, "```\n")
	}
	if !ok || block != string(src) {
		t.Fatalf("docs/client.md does not show %s as it is:\n%s", botFile, block)
	}

	bin := filepath.Join(t.TempDir(), "bot")
	build := exec.Command("go", "build", "-o", bin, "./"+filepath.Dir(botFile))
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the bot: %v\n%s", err, out)
	}

	s := apptest.Start(t)
	watcher := dial(t, s.URL())
	join(t, watcher, "demo")
	bot := exec.Command(bin)
	bot.Env = append(os.Environ(), "DANMAKU_URL="+s.URL(), "DANMAKU_TOKEN=")
	bot.Stderr = apptest.LogWriter(t)
	stdout, err := bot.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := bot.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bot.Process.Kill(); _ = bot.Wait() })
	lines := make(chan string, 10)
	go func() {
		for sc := bufio.NewScanner(stdout); sc.Scan(); {
			lines <- sc.Text()
		}
	}()

	got, _ := comments(t, watcher, "demo", 1)
	greeting := got[0]
	if greeting.Text != "hello from a bot" || greeting.Color != "#00ff00" {
		t.Fatalf("the bot said %+v", greeting)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, err := watcher.LikeComment(ctx, greeting.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case line := <-lines:
		if line != "likes on my greeting: 1" {
			t.Errorf("the bot printed %q", line)
		}
	case <-time.After(waitFor):
		t.Fatal("the bot printed nothing about the like")
	}

	if err := bot.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for p := next[client.Presence](t, watcher); p.Viewers != 1; p = next[client.Presence](t, watcher) {
	}
	if err := bot.Wait(); err != nil {
		t.Errorf("the bot ended with %v after Ctrl-C, want exit 0", err)
	}
}
