package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
)

// site is a server with a page of every kind to look at: a VOD room with
// comments of every mode, a live room with a replay, the index, sign-in,
// and moderation.
type site struct {
	*apptest.Server
}

// sitePage is one page of the site, and whether it needs a moderator.
type sitePage struct {
	name, path string
	moderator  bool
}

// pages lists the site's pages.
func (s site) pages() []sitePage {
	return []sitePage{
		{"index", "/", false},
		{"login", "/login", false},
		{"room", "/rooms/watch", false},
		{"replay", "/rooms/onair/replay", false},
		{"admin", "/admin", true},
	}
}

// newSite starts a server with the rooms the pages show.
func newSite(t *testing.T) site {
	t.Helper()
	s := apptest.Start(t)
	apptest.CreateRoom(t, s.URL(), "watch", "vod")
	apptest.CreateRoom(t, s.URL(), "onair", "live")
	for i, c := range []struct {
		text, mode, size string
		at               float64
	}{
		{"scrolling along at the start", "scroll", "medium", 0.6},
		{"small print", "scroll", "small", 0.7},
		{"前方高能", "top", "large", 0.8},
		{"名场面 at the bottom", "bottom", "medium", 0.9},
		{"233", "scroll", "small", 1.0},
		{"233", "scroll", "small", 1.1},
	} {
		postComment(t, s.URL(), "watch", map[string]any{"text": c.text, "mode": c.mode, "size": c.size, "time": c.at})
		postComment(t, s.URL(), "onair", map[string]any{"text": fmt.Sprintf("live %d: %s", i, c.text), "mode": c.mode})
	}
	return site{s}
}

// signIn gives the tab's browser a session as id on base's server.
func (p *tab) signIn(base string, id auth.Identity) {
	p.t.Helper()
	tok, err := auth.NewSigner([]byte(apptest.Secret)).Issue(id, time.Hour)
	if err != nil {
		p.t.Fatal(err)
	}
	p.run(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
			Name: "danmaku_session", Value: tok, URL: base, Path: "/", HTTPOnly: new(true),
		})
		return err
	}))
}

// moderator is who the tests sign in as for /admin.
var moderator = auth.Identity{ID: "m1", Name: "Mod", Roles: []string{auth.RoleModerator}}

// openPage opens one of the site's pages and waits until it is ready to use.
func (p *tab) openPage(s site, pg sitePage) {
	p.t.Helper()
	p.open(s.URL() + pg.path)
	switch pg.name {
	case "room":
		p.waitConnected()
	case "replay":
		p.wait(`document.getElementById('dm-list').dataset.count === '6'`, "the replay's comments in the list")
	case "admin":
		p.wait(`document.getElementById('mod-status')?.dataset.state === 'open'`, "the live status")
	}
}

// comments posts n comments at video time at, over REST, each by a new guest.
func postComments(t *testing.T, base, room string, n int, at float64) []protocol.Comment {
	t.Helper()
	out := make([]protocol.Comment, n)
	for i := range out {
		out[i] = postComment(t, base, room, map[string]any{"text": fmt.Sprintf("comment %d at %g", i, at), "time": at})
	}
	return out
}
