package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/plugins"
)

// listTexts is the texts of the room page's comment list: the comments the
// player has loaded.
const listTexts = `[...document.querySelectorAll('#dm-list .dm-entry-text')].map((e) => e.textContent)`

// TestShadowedSenderKeepsOwnCommentAfterReload: the shared segments leave a
// shadowed comment out, yet a shadow-banned sender's page, reloaded, shows
// them their own shadowed comment in the list and on the video (from the
// segment's private companion), while another viewer's page, which asks
// for the same two things, shows it nowhere.
func TestShadowedSenderKeepsOwnCommentAfterReload(t *testing.T) {
	needBrowser(t)
	pcfg, err := plugins.ParseConfig([]byte(`plugins: [{name: blocklist, config: {action: shadow}}]`))
	if err != nil {
		t.Fatal(err)
	}
	s := apptest.Start(t, func(c *app.Config) { c.Plugins = pcfg })
	apptest.CreateRoom(t, s.URL(), "shade", "vod")
	mod := apptest.ModeratorClient(t)
	troll := auth.Identity{ID: "troll", Name: "Troll", Roles: []string{auth.RoleViewer}}
	if status := apptest.Call(t, mod, "POST", s.URL()+"/api/admin/bans", map[string]any{"user_id": troll.ID, "reason": "spam"}, nil); status != http.StatusCreated {
		t.Fatalf("ban: %d", status)
	}
	const secret, public = "only I see this", "everyone sees this"
	postComment(t, s.URL(), "shade", map[string]any{"text": public, "time": 2.5})

	p := newTab(t, "troll")
	p.signIn(s.URL(), troll)
	seen := recordAnswers(p)
	p.open(s.URL() + "/rooms/shade")
	p.waitConnected()
	eval[bool](p, `(async () => {
		const v = document.getElementById('dm-video');
		if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
		const moved = new Promise((r) => v.addEventListener('seeked', r, { once: true }));
		v.currentTime = 2;
		await moved;
		return true;
	})()`)
	p.sendComment(secret, "")
	// Acknowledged (after its commit): its list entry carries its stored id.
	p.wait(fmt.Sprintf(`[...document.querySelectorAll('#dm-list .dm-entry')].some((e) =>
		e.querySelector('.dm-entry-text')?.textContent === %s && /^[0-9]+$/.test(e.dataset.id))`, jsString(secret)), "the comment's ack")
	var stored struct {
		Comments []struct {
			Text   string  `json:"text"`
			Status string  `json:"status"`
			Time   float64 `json:"time"`
		} `json:"comments"`
	}
	apptest.Call(t, mod, "GET", s.URL()+"/api/admin/comments?room=shade&status=shadowed", nil, &stored)
	if len(stored.Comments) != 1 || stored.Comments[0].Text != secret || stored.Comments[0].Time != 2 {
		t.Fatalf("shadowed comments stored: %+v, want %q at 2 s", stored.Comments, secret)
	}

	p.reload()
	seen.await(t, "/api/rooms/shade/segments/0/own", 2)
	p.wait(listed(secret)+" && "+listed(public), "both comments in the list after the reload")
	p.playVideo(1.5)
	p.wait(fmt.Sprintf(`window.__seen.some((e) => e.text === %s) && window.__seen.some((e) => e.text === %s)`, jsString(secret), jsString(public)),
		"both comments on the video after the reload")
	p.checkClean()

	other := newTab(t, "alice")
	other.signIn(s.URL(), auth.Identity{ID: "alice", Name: "Alice", Roles: []string{auth.RoleViewer}})
	otherSeen := recordAnswers(other)
	other.open(s.URL() + "/rooms/shade")
	otherSeen.await(t, "/api/rooms/shade/segments/0/own", 1)
	other.wait(listed(public), "the visible comment in the list")
	other.playVideo(1.5)
	other.wait(fmt.Sprintf(`window.__seen.some((e) => e.text === %s)`, jsString(public)), "the visible comment on the video")
	// The segment and its companion arrive together, and the shadowed
	// comment is half a second before the visible one on the video: had
	// either held it, it would be there by now.
	if got := eval[[]string](other, listTexts); len(got) != 1 {
		t.Errorf("another viewer's list: %q, want only %q", got, public)
	}
	for _, e := range other.seenAll() {
		if e.Text == secret {
			t.Errorf("another viewer's video showed the shadowed comment: %+v", e)
		}
	}
	other.checkClean()
}
