package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/cli"
	"github.com/danmaku/danmaku/app/privacy"
	"github.com/danmaku/danmaku/app/protocol"
)

// postFrom posts a comment as a client at addr (behind the trusted proxy)
// and returns the status and the stored comment.
func postFrom(t *testing.T, s *testServer, hc *http.Client, addr, text string) (int, protocol.Comment) {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL()+"/api/rooms/demo/comments", strings.NewReader(`{"text":"`+text+`","time":1}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Real-IP", addr)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c protocol.Comment
	_ = json.NewDecoder(resp.Body).Decode(&c)
	return resp.StatusCode, c
}

// queryDB runs a one-number query ($1 placeholders) on the database db
// names (a SQLite file or a PostgreSQL URL, apptest.DB).
func queryDB(t *testing.T, db, query string, args ...any) int {
	t.Helper()
	var n int
	if err := apptest.OpenDB(t, db).QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// withAddress is the condition of a comment that keeps its client's
// address: SQLite stores none as ”, PostgreSQL as NULL.
func withAddress() string {
	if apptest.OnPostgres() {
		return "ip IS NOT NULL"
	}
	return "ip != ''"
}

// sweepTally adds up what the privacy job's sweeps erased, as OnSweep
// hears of them, and rings after each sweep; nothing it hears is dropped.
type sweepTally struct {
	comments, bans atomic.Int64
	failed         atomic.Pointer[error] // the last sweep error, if any
	ring           chan struct{}
}

func newSweepTally() *sweepTally { return &sweepTally{ring: make(chan struct{}, 1)} }

// onSweep is Config.OnSweep: it must not block.
func (st *sweepTally) onSweep(sw privacy.Swept, err error) {
	if err != nil {
		st.failed.Store(&err)
	}
	st.comments.Add(int64(sw.Addresses.Comments))
	st.bans.Add(int64(sw.Addresses.Bans))
	select {
	case st.ring <- struct{}{}:
	default:
	}
}

// await waits, within waitFor in all, until the sweeps have erased at least
// comments comment addresses and bans ban addresses.
func (st *sweepTally) await(t *testing.T, comments, bans int64) {
	t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for st.comments.Load() < comments || st.bans.Load() < bans {
		select {
		case <-st.ring:
		case <-deadline.C:
			t.Fatalf("after %s the sweeps erased %d comment and %d ban addresses, want %d and %d (last error: %v)",
				waitFor, st.comments.Load(), st.bans.Load(), comments, bans, st.lastErr())
		}
	}
	if err := st.lastErr(); err != nil {
		t.Fatalf("a sweep failed: %v", err)
	}
}

// lastErr is the last sweep error heard, or nil.
func (st *sweepTally) lastErr() error {
	if p := st.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// TestAddressesAreErasedAfterTheRetentionAndBansKeepTheirs stores comments
// and bans under a retention of an hour (so nothing is due while they are
// checked), then restarts the server on the same database with a retention
// of a millisecond: the job, not the test, erases them, and the test waits
// for its sweeps to report it, within one deadline.
func TestAddressesAreErasedAfterTheRetentionAndBansKeepTheirs(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [blocklist]`), func(c *app.Config) {
		c.IPRetention = time.Hour
		c.ProxyHeader, c.TrustedProxies = "X-Real-IP", []string{"127.0.0.1"}
	})
	mod := clientAs(t, s, mod1)
	guest := httpClient(t)
	status, spammer := postFrom(t, s, guest, "203.0.113.7", "buy now")
	if status != http.StatusCreated {
		t.Fatalf("comment: %d", status)
	}
	if status, _ := postFrom(t, s, guest, "198.51.100.9", "hello"); status != http.StatusCreated {
		t.Fatalf("comment: %d", status)
	}
	var recent struct{ Comments []modComment }
	call(t, mod, "GET", s.URL()+"/api/admin/comments?room=demo&limit=2", nil, &recent)
	if len(recent.Comments) != 2 || recent.Comments[1].IP != "203.0.113.7" {
		t.Fatalf("moderators see %+v, want the addresses while they are kept", recent.Comments)
	}
	// A ban in force by address, and two that ended: one by address alone,
	// one by user and address.
	bans := map[string]struct {
		body map[string]any
		id   int64
	}{
		"in force":         {body: map[string]any{"ip": "203.0.113.7", "reason": "spam"}},
		"lifted, address":  {body: map[string]any{"ip": "192.0.2.1", "reason": "old"}},
		"lifted, and user": {body: map[string]any{"ip": "192.0.2.2", "user_id": "u-old", "reason": "old"}},
	}
	for name, b := range bans {
		var res struct{ Ban ban }
		if status := call(t, mod, "POST", s.URL()+"/api/admin/bans", b.body, &res); status != http.StatusCreated {
			t.Fatalf("ban %s: %d", name, status)
		}
		b.id = res.Ban.ID
		bans[name] = b
	}
	for _, name := range []string{"lifted, address", "lifted, and user"} {
		if status := call(t, mod, "DELETE", s.URL()+"/api/admin/bans/"+itoa(bans[name].id), nil, nil); status != http.StatusOK {
			t.Fatalf("unban %s: %d", name, status)
		}
	}
	db := s.cfg.DBPath
	if n := queryDB(t, db, `SELECT count(*) FROM comments WHERE `+withAddress()); n != 2 {
		t.Fatalf("%d comments with an address under a retention of an hour, want 2", n)
	}

	// The same database under a retention of a millisecond: the job's
	// sweeps (the first as the server starts, then every 10ms) erase the
	// two comments' addresses and the two ended bans'.
	s.stop(t)
	tally := newSweepTally()
	cfg := s.cfg
	cfg.Addr, cfg.IPRetention, cfg.OnSweep = "127.0.0.1:0", time.Millisecond, tally.onSweep
	s = startWith(t, cfg)
	tally.await(t, 2, 2)
	for name, q := range map[string]string{
		"comments with an address":     `SELECT count(*) FROM comments WHERE ` + withAddress(),
		"the lifted ban by address":    `SELECT count(*) FROM bans WHERE ip = '192.0.2.1/32'`,
		"the lifted ban's address":     `SELECT count(*) FROM bans WHERE user_id = 'u-old' AND ip IS NOT NULL`,
		"the lifted user ban is gone?": `SELECT 1 - count(*) FROM bans WHERE user_id = 'u-old'`,
	} {
		if n := queryDB(t, db, q); n != 0 {
			t.Errorf("%s: %d left after the sweep", name, n)
		}
	}
	if n := queryDB(t, db, `SELECT count(*) FROM bans WHERE ip = '203.0.113.7/32' AND lifted_at IS NULL`); n != 1 {
		t.Fatalf("the ban in force lost its address: %d", n)
	}
	mod = clientAs(t, s, mod1)
	call(t, mod, "GET", s.URL()+"/api/admin/comments?room=demo&limit=2", nil, &recent)
	if len(recent.Comments) != 2 || recent.Comments[1].ID != spammer.ID || recent.Comments[1].IP != "" {
		t.Fatalf("moderators see %+v after the sweep, want no address", recent.Comments)
	}
	// The address ban still refuses its address, and only it.
	if status, _ := postFrom(t, s, httpClient(t), "203.0.113.7", "again"); status != http.StatusUnprocessableEntity {
		t.Fatalf("a comment from the banned address after the sweep: %d, want 422", status)
	}
	if status, _ := postFrom(t, s, httpClient(t), "198.51.100.9", "still fine"); status != http.StatusCreated {
		t.Fatalf("a comment from another address after the sweep: %d", status)
	}
	// Sweeping on demand finds no ended ban left, and the one in force
	// keeps its address.
	if sw, err := s.SweepRetention(context.Background()); err != nil || sw.Addresses.Bans != 0 {
		t.Fatalf("a sweep on demand: %+v, %v", sw, err)
	}
	if n := queryDB(t, db, `SELECT count(*) FROM bans WHERE ip = '203.0.113.7/32' AND lifted_at IS NULL`); n != 1 {
		t.Fatalf("the ban in force lost its address to the sweep on demand: %d", n)
	}
}

// TestShutdownWaitsForThePrivacyJobOnlyWithinItsContext holds the job in
// its first sweep's report (OnSweep blocks, as a sweep stuck on a slow disk
// would): Shutdown must give up on it when its context ends, say so, and
// still close everything else, rather than hang.
func TestShutdownWaitsForThePrivacyJobOnlyWithinItsContext(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	cfg := testConfig(t, t.TempDir())
	cfg.OnSweep = func(privacy.Swept, error) {
		once.Do(func() { close(entered); <-release })
	}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer close(release)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-entered:
	case <-time.After(waitFor):
		t.Fatalf("the privacy job did not sweep within %s of the start", waitFor)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Shutdown(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "privacy job") {
			t.Fatalf("Shutdown with the job stuck: %v; want the job named and the deadline", err)
		}
	case <-time.After(waitFor):
		t.Fatalf("Shutdown still waits for a stuck privacy job %s after its context ended", waitFor)
	}
	// It went on to close the rest: the listener is gone.
	if _, err := net.Dial("tcp", a.Addr()); err == nil {
		t.Errorf("the server still accepts connections after Shutdown")
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestExportAndEraseUser(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.SessionRecheck = 50 * time.Millisecond })
	db := s.cfg.DBPath
	eve := auth.Identity{ID: "eve", Name: "Eve", Roles: []string{auth.RoleViewer}}
	bob := auth.Identity{ID: "bob", Name: "Bob", Roles: []string{auth.RoleViewer}}
	eveBrowser, eveCookie := signIn(t, s, token(t, s, eve, time.Hour))
	bobClient := bearerClient(t, token(t, s, bob, time.Hour))

	var eveIDs []int64
	for _, text := range []string{"eve one", "eve two", "eve three"} {
		var c protocol.Comment
		if status := call(t, eveBrowser, "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": text}, &c); status != http.StatusCreated {
			t.Fatalf("eve's comment: %d", status)
		}
		eveIDs = append(eveIDs, c.ID)
	}
	var bobs protocol.Comment
	call(t, bobClient, "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": "bob's"}, &bobs)
	like := func(hc *http.Client, path string) int64 {
		t.Helper()
		var out struct{ Likes int64 }
		if status := call(t, hc, "POST", s.URL()+path, nil, &out); status != http.StatusOK {
			t.Fatalf("like %s: %d", path, status)
		}
		return out.Likes
	}
	like(eveBrowser, "/api/comments/"+itoa(bobs.ID)+"/like")
	roomLikes := like(eveBrowser, "/api/rooms/demo/like")
	like(bobClient, "/api/comments/"+itoa(eveIDs[0])+"/like")

	out := filepath.Join(t.TempDir(), "eve.json")
	code, _, errOut := runCommand(t, "", "export-user", "-db", db, "-user", "eve", out)
	if code != 0 {
		t.Fatalf("export-user: exit %d: %s", code, errOut)
	}
	var doc cli.UserExport
	readJSON(t, out, &doc)
	d := doc.Data
	if doc.User != "eve" || d.User == nil || d.User.Name != "Eve" || len(d.Comments) != 3 || d.Comments[0].IP == "" ||
		len(d.Likes) != 2 || len(d.Sessions) != 1 || len(d.Bans) != 0 {
		t.Fatalf("export of eve: %+v", doc)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the export's mode: %v, %v; want 0600, it holds personal data", st.Mode(), err)
	}

	if code, _, errOut := runCommand(t, "no\n", "erase-user", "-db", db, "-user", "eve"); code == 0 || !strings.Contains(errOut, "3 comments, 2 likes, 1 sessions") {
		t.Fatalf("erase-user answered no: exit %d: %s", code, errOut)
	}
	if n := queryDB(t, db, `SELECT count(*) FROM comments WHERE user_id = 'eve'`); n != 3 {
		t.Fatalf("a refused erasure changed %d comments", 3-n)
	}
	code, stdout, errOut := runCommand(t, "", "erase-user", "-db", db, "-user", "eve", "-yes")
	if code != 0 || !strings.Contains(stdout, `erased user "eve": 3 comments, 2 likes, 1 sessions ended, user record deleted: true`) {
		t.Fatalf("erase-user: exit %d\n%s\n%s", code, stdout, errOut)
	}

	// Nothing of hers is left in the database (it ran beside the server).
	for name, q := range map[string]string{
		"comments":        `SELECT count(*) FROM comments WHERE user_id = 'eve' OR user_name = 'Eve' OR text LIKE 'eve %'`,
		"comment likes":   `SELECT count(*) FROM comment_likes WHERE user_id = 'eve'`,
		"room likes":      `SELECT count(*) FROM room_likes WHERE user_id = 'eve'`,
		"sessions":        `SELECT count(*) FROM sessions WHERE user_id = 'eve'`,
		"the user record": `SELECT count(*) FROM users WHERE id = 'eve'`,
	} {
		if n := queryDB(t, db, q); n != 0 {
			t.Errorf("%s of eve left: %d", name, n)
		}
	}
	if n := queryDB(t, db, `SELECT likes FROM rooms WHERE id = 'demo'`); int64(n) != roomLikes-1 {
		t.Errorf("the room's likes: %d, want %d: hers taken back", n, roomLikes-1)
	}
	if n := queryDB(t, db, `SELECT likes FROM comments WHERE id = $1`, bobs.ID); n != 0 {
		t.Errorf("bob's comment's likes: %d, want hers taken back", n)
	}
	// The running server no longer shows her comments, and refuses her
	// session once it re-reads it.
	var listed struct{ Comments []protocol.Comment }
	call(t, bobClient, "GET", s.URL()+"/api/rooms/demo/comments", nil, &listed)
	for _, c := range listed.Comments {
		if c.User.ID == "eve" || strings.HasPrefix(c.Text, "eve ") {
			t.Fatalf("the room still lists %+v", c)
		}
	}
	deadline := time.Now().Add(waitFor)
	for {
		_, me := socketOf(t, s, &http.Client{Jar: jarWith(t, s, eveCookie)})
		if me.ID != "eve" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server still takes eve's session %s after the erasure", waitFor)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// An export now finds nothing.
	code, _, errOut = runCommand(t, "", "export-user", "-db", db, "-user", "eve", out+".2")
	readJSON(t, out+".2", &doc)
	if code != 0 || doc.Data.User != nil || len(doc.Data.Comments)+len(doc.Data.Likes)+len(doc.Data.Sessions) != 0 {
		t.Fatalf("export after the erasure: exit %d %s: %+v", code, errOut, doc.Data)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
