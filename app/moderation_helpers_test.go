package app_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/plugins"
	_ "github.com/danmaku/danmaku/plugins/all" // the built-ins, as main.go registers them
)

// withPlugins runs the server with the plugin config in yamlSrc.
func withPlugins(t *testing.T, yamlSrc string) func(*app.Config) {
	t.Helper()
	cfg, err := plugins.ParseConfig([]byte(yamlSrc))
	if err != nil {
		t.Fatalf("plugin config: %v", err)
	}
	return func(c *app.Config) { c.Plugins = cfg }
}

// withPluginsFile runs the server with the plugin config file path.
func withPluginsFile(path string) func(*app.Config) {
	return func(c *app.Config) { c.Plugins, c.PluginsFile = nil, path }
}

// writeFile writes a file in a temp dir and returns its path.
func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "plugins.yaml")
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// People the tests act as.
var (
	mod1    = auth.Identity{ID: "m1", Name: "Mod", Roles: []string{auth.RoleModerator}}
	viewer1 = auth.Identity{ID: "v1", Name: "Viewer", Roles: []string{auth.RoleViewer}}
	troll   = auth.Identity{ID: "troll", Name: "Troll", Roles: []string{auth.RoleViewer}}
)

// token mints a session token for id, as the auth pages will.
func token(t *testing.T, s *testServer, id auth.Identity, ttl time.Duration) string {
	t.Helper()
	tok, err := auth.NewSigner([]byte(s.Cfg.Secret)).Issue(id, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// jarAs returns a cookie jar holding a session for id.
func jarAs(t *testing.T, s *testServer, id auth.Identity) http.CookieJar {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	setSession(t, s, jar, token(t, s, id, time.Hour))
	return jar
}

// setSession replaces the jar's session cookie, as signing in as someone else does.
func setSession(t *testing.T, s *testServer, jar http.CookieJar, tok string) {
	t.Helper()
	u, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	jar.SetCookies(u, []*http.Cookie{{Name: "danmaku_session", Value: tok, Path: "/"}})
}

// clientAs is an HTTP client signed in as id.
func clientAs(t *testing.T, s *testServer, id auth.Identity) *http.Client {
	t.Helper()
	return &http.Client{Jar: jarAs(t, s, id), Timeout: waitFor}
}

// dialAs opens a viewer socket signed in as id.
func dialAs(t *testing.T, s *testServer, query string, id auth.Identity) *wsClient {
	t.Helper()
	return dial(t, s, query, dialOpts{jar: jarAs(t, s, id)})
}

// pair opens two guest sockets in room, a sender and a viewer, past their welcomes.
func pair(t *testing.T, s *testServer, room string) (sender, viewer *wsClient) {
	t.Helper()
	sender, viewer = dial(t, s, "?room="+room), dial(t, s, "?room="+room)
	sender.next(protocol.TypeWelcome)
	viewer.next(protocol.TypeWelcome)
	return sender, viewer
}

// modSocket opens the moderators' socket as id and returns it with its snapshot.
func modSocket(t *testing.T, s *testServer, id auth.Identity) (*wsClient, modSnapshot) {
	t.Helper()
	c := dial(t, s, "/admin", dialOpts{jar: jarAs(t, s, id)})
	var snap modSnapshot
	c.modNext("snapshot", &snap)
	return c, snap
}

// modComment is a comment as moderators see it.
type modComment struct {
	protocol.Comment
	IP          string `json:"ip"`
	Note        string `json:"note"`
	ModeratedBy string `json:"moderated_by"`
}

type ban struct {
	ID     int64  `json:"id"`
	UserID string `json:"user_id"`
	IP     string `json:"ip"`
	Room   string `json:"room"`
	Reason string `json:"reason"`
	Until  string `json:"until"`
}

type modSnapshot struct {
	User   protocol.User `json:"user"`
	Held   []modComment  `json:"held"`
	Recent []modComment  `json:"recent"`
	Bans   []ban         `json:"bans"`
	Stats  pluginStats   `json:"stats"`
}

type pluginStats struct {
	LoadedAt string                `json:"loaded_at"`
	Default  chainStats            `json:"default"`
	Rooms    map[string]chainStats `json:"rooms"`
}

type chainStats struct {
	Plugins []struct {
		Name     string `json:"name"`
		Calls    uint64 `json:"calls"`
		Rejects  uint64 `json:"rejects"`
		Holds    uint64 `json:"holds"`
		Errors   uint64 `json:"errors"`
		Panics   uint64 `json:"panics"`
		Timeouts uint64 `json:"timeouts"`
	} `json:"plugins"`
}

// modNext reads the next moderator frame of type typ into out, skipping
// the frames that come on their own (counters, bans, feed comments).
func (c *wsClient) modNext(typ string, out any) {
	c.t.Helper()
	skip := []string{"stats", "bans", "comments"}
	for i, s := range skip {
		if s == typ {
			skip = append(skip[:i:i], skip[i+1:]...)
			break
		}
	}
	f := c.nextSkipping(typ, skip...)
	if out != nil {
		if err := json.Unmarshal(f.Raw, out); err != nil {
			c.t.Fatalf("decoding %s frame %s: %v", typ, f.Raw, err)
		}
	}
}

// modFrames reads frames, skipping the other feed frames, until it has
// one of each type in want, in any order, decoding each into its value.
func (c *wsClient) modFrames(want map[string]any) {
	c.t.Helper()
	timeout := time.After(waitFor)
	for len(want) > 0 {
		select {
		case f := <-c.frames:
			out, ok := want[f.Type]
			if !ok {
				if slices.Contains([]string{"stats", "bans", "comments"}, f.Type) {
					continue
				}
				c.t.Fatalf("want %v frames, got a %s frame (%+v %s %s)", slices.Collect(maps.Keys(want)), f.Type, f.Error, f.Code, f.Message)
			}
			if err := json.Unmarshal(f.Raw, out); err != nil {
				c.t.Fatalf("decoding %s frame %s: %v", f.Type, f.Raw, err)
			}
			delete(want, f.Type)
		case <-timeout:
			c.t.Fatalf("no %v frames within %s", slices.Collect(maps.Keys(want)), waitFor)
		}
	}
}

// feedUntil reads feed frames until one carries a comment for which match is true.
func (c *wsClient) feedUntil(match func(modComment) bool) modComment {
	c.t.Helper()
	for {
		var f struct{ Items []modComment }
		c.modNext("comments", &f)
		for _, m := range f.Items {
			if match(m) {
				return m
			}
		}
	}
}

// decide posts a moderator's decision and returns the changed comments.
func decide(t *testing.T, s *testServer, hc *http.Client, what string, ids ...int64) (int, []modComment) {
	t.Helper()
	var out struct{ Comments []modComment }
	status := call(t, hc, "POST", s.URL()+"/api/admin/comments/"+what, map[string]any{"ids": ids}, &out)
	return status, out.Comments
}

// replay returns a room's comments over REST, by time, as hc sees them.
func replay(t *testing.T, s *testServer, hc *http.Client, room string) []protocol.Comment {
	t.Helper()
	var page struct{ Comments []protocol.Comment }
	if status := call(t, hc, "GET", s.URL()+"/api/rooms/"+room+"/comments", nil, &page); status != http.StatusOK {
		t.Fatalf("replay of %s: status %d", room, status)
	}
	return page.Comments
}

// afterSeq returns a room's comments after seq over REST.
func afterSeq(t *testing.T, s *testServer, room string, seq int64) []protocol.Comment {
	t.Helper()
	var page struct{ Comments []protocol.Comment }
	call(t, httpClient(t), "GET", s.URL()+"/api/rooms/"+room+"/comments?after_seq="+strconv.FormatInt(seq, 10), nil, &page)
	return page.Comments
}

// hasText reports whether list holds a comment with text.
func hasText(list []protocol.Comment, text string) bool {
	for _, c := range list {
		if c.Text == text {
			return true
		}
	}
	return false
}

// hasID reports whether list holds comment id.
func hasID(list []protocol.Comment, id int64) bool {
	for _, c := range list {
		if c.ID == id {
			return true
		}
	}
	return false
}

// testPlugins is a registry with plugins that misbehave on purpose, for
// the failure-policy tests, and the gate a test opens.
type testPlugins struct {
	reg     *plugins.Registry
	entered chan string   // gate: the text of each comment that reached it
	release chan struct{} // gate and hang: closed when the test ends
	once    sync.Once
}

func newTestPlugins(t *testing.T) *testPlugins {
	tp := &testPlugins{reg: plugins.NewRegistry(), entered: make(chan string, 16), release: make(chan struct{})}
	t.Cleanup(tp.open)
	// hang blocks until the test ends, ignoring its deadline.
	tp.reg.Register("hang", func() plugins.Moderator {
		return moderatorFunc(func(context.Context, plugins.Comment) (plugins.Verdict, error) {
			<-tp.release
			return plugins.Allow(), nil
		})
	})
	// boom panics.
	tp.reg.Register("boom", func() plugins.Moderator {
		return moderatorFunc(func(context.Context, plugins.Comment) (plugins.Verdict, error) {
			panic("boom")
		})
	})
	// gate waits, honouring its deadline, until the test opens it.
	tp.reg.Register("gate", func() plugins.Moderator {
		return moderatorFunc(func(ctx context.Context, c plugins.Comment) (plugins.Verdict, error) {
			tp.entered <- c.Text
			select {
			case <-tp.release:
				return plugins.Allow(), nil
			case <-ctx.Done():
				return plugins.Verdict{}, ctx.Err()
			}
		})
	})
	return tp
}

// open releases every hanging and gated call.
func (tp *testPlugins) open() { tp.once.Do(func() { close(tp.release) }) }

type moderatorFunc func(context.Context, plugins.Comment) (plugins.Verdict, error)

func (f moderatorFunc) Moderate(ctx context.Context, c plugins.Comment) (plugins.Verdict, error) {
	return f(ctx, c)
}
