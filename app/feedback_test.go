package app_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/protocol"
)

// heatCurve is GET /api/rooms/:id/heat's answer.
type heatCurve struct {
	Room   string  `json:"room"`
	Axis   string  `json:"axis"`
	Origin *string `json:"origin"`
	Step   int     `json:"step"`
	Counts []int64 `json:"counts"`
	Peak   int64   `json:"peak"`
	Total  int64   `json:"total"`
}

// TestHeatCurve: the curve counts a room's comments per step, follows new
// ones at once, has ArtPlayer's shape on request, and refuses bad steps.
func TestHeatCurve(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "hot", "vod")
	hc := httpClient(t)
	for _, at := range []float64{1, 2, 2.5, 31} {
		if status := call(t, hc, "POST", s.URL()+"/api/rooms/hot/comments", map[string]any{"text": "peak", "time": at}, nil); status != http.StatusCreated {
			t.Fatalf("comment at %g: %d", at, status)
		}
	}
	var c heatCurve
	if status := call(t, hc, "GET", s.URL()+"/api/rooms/hot/heat?step=10", nil, &c); status != http.StatusOK ||
		!slices.Equal(c.Counts, []int64{3, 0, 0, 1}) || c.Peak != 3 || c.Total != 4 || c.Axis != "video" || c.Step != 10 {
		t.Fatalf("heat: %d %+v, want [3 0 0 1] by video time", status, c)
	}
	// A comment over the socket is counted as soon as it is stored.
	ws, _ := pair(t, s, "hot")
	ws.send(map[string]any{"type": "comment", "ref": "x", "text": "more", "time": 15})
	if ack := ws.ack(); !ack.OK {
		t.Fatalf("comment: %+v", ack.Error)
	}
	deadline := time.Now().Add(waitFor)
	for call(t, hc, "GET", s.URL()+"/api/rooms/hot/heat?step=10&to=59.9", nil, &c); c.Counts[1] != 1; call(t, hc, "GET", s.URL()+"/api/rooms/hot/heat?step=10&to=59.9", nil, &c) {
		if time.Now().After(deadline) {
			t.Fatalf("the new comment never counted: %+v", c)
		}
	}
	if !slices.Equal(c.Counts, []int64{3, 1, 0, 1, 0, 0}) {
		t.Fatalf("heat up to 59.9 s: %v, want six steps", c.Counts)
	}
	var points [][2]float64
	if status := call(t, hc, "GET", s.URL()+"/api/rooms/hot/heat?step=30&format=artplayer", nil, &points); status != http.StatusOK ||
		len(points) != 2 || points[0] != [2]float64{0, 4} || points[1] != [2]float64{30, 1} {
		t.Fatalf("ArtPlayer points: %d %v", status, points)
	}
	resp, _ := apptest.Fetch(t, hc, "GET", s.URL()+"/api/rooms/hot/heat", nil, nil)
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("other sites' players cannot read the curve: %v", resp.Header)
	}
	for _, q := range []string{"step=0", "step=3601", "step=x", "format=svg", "to=-1"} {
		var e apiError
		if status := call(t, hc, "GET", s.URL()+"/api/rooms/hot/heat?"+q, nil, &e); status != http.StatusBadRequest {
			t.Errorf("?%s: %d %+v, want 400", q, status, e.Error)
		}
	}
	if status := call(t, hc, "GET", s.URL()+"/api/rooms/nope/heat", nil, nil); status != http.StatusNotFound {
		t.Errorf("unknown room: %d, want 404", status)
	}
}

// TestLikesAreRememberedAndTakenBack: the server says what a viewer
// liked, over REST; a like is taken back over the socket or REST, and the
// others hear the new count.
func TestLikesAreRememberedAndTakenBack(t *testing.T) {
	s := startServer(t)
	sender, watcher := pair(t, s, "demo")
	a := sendAcked(sender, "a", "like me")
	b := sendAcked(sender, "b", "and me")
	watcher.comments(2)
	me := httpClient(t)
	for _, id := range []int64{a.Comment.ID, b.Comment.ID} {
		if status := call(t, me, "POST", fmt.Sprintf("%s/api/comments/%d/like", s.URL(), id), nil, nil); status != http.StatusOK {
			t.Fatalf("like %d: %d", id, status)
		}
	}
	call(t, me, "POST", s.URL()+"/api/rooms/demo/like", nil, nil)
	var liked struct {
		Room     bool
		Comments []int64
	}
	if call(t, me, "GET", s.URL()+"/api/rooms/demo/liked", nil, &liked); !liked.Room || !slices.Equal(liked.Comments, []int64{b.Comment.ID, a.Comment.ID}) {
		t.Fatalf("liked: %+v, want the room and both comments, newest first", liked)
	}
	if call(t, httpClient(t), "GET", s.URL()+"/api/rooms/demo/liked", nil, &liked); liked.Room || len(liked.Comments) != 0 {
		t.Fatalf("a stranger liked %+v, want nothing", liked)
	}

	// Over the socket that carries the same cookie: unlike a, in its room.
	jar := me.Jar
	ws := dial(t, s, "?room=demo", dialOpts{jar: jar})
	ws.next(protocol.TypeWelcome)
	ws.send(map[string]any{"type": "unlike", "ref": "u", "comment_id": a.Comment.ID})
	if ack := ws.ack(); !ack.OK || ack.Likes == nil || *ack.Likes != 0 || ack.Room != "demo" {
		t.Fatalf("unlike ack: %+v %+v", ack, ack.Error)
	}
	for {
		f := watcher.next(protocol.TypeLikes)
		if n, ok := f.Comments[fmt.Sprint(a.Comment.ID)]; ok && n == 0 {
			break
		}
	}
	// Over REST: unlike b.
	var got struct{ Likes int64 }
	if status := call(t, me, "DELETE", fmt.Sprintf("%s/api/comments/%d/like", s.URL(), b.Comment.ID), nil, &got); status != http.StatusOK || got.Likes != 0 {
		t.Fatalf("REST unlike: %d %+v", status, got)
	}
	if call(t, me, "GET", s.URL()+"/api/rooms/demo/liked", nil, &liked); len(liked.Comments) != 0 {
		t.Fatalf("liked after unliking: %+v", liked)
	}
	ws.send(map[string]any{"type": "unlike", "ref": "n"})
	if ack := ws.ack(); ack.OK || ack.Error.Code != "bad_request" {
		t.Errorf("unlike without a comment: %+v", ack)
	}
}

// TestReportsReachModeratorsAndHide: reports are counted once per
// viewer, queued for moderators (REST and their socket), and at the
// threshold the comment leaves every screen for the held queue.
func TestReportsReachModeratorsAndHide(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.ReportThreshold = 2 })
	sender, watcher := pair(t, s, "demo")
	c := sendAcked(sender, "s", "buy cheap followers")
	watcher.comments(1)
	mod := clientAs(t, s, mod1)
	modWS, _ := modSocket(t, s, mod1)
	reportURL := fmt.Sprintf("%s/api/comments/%d/report", s.URL(), c.Comment.ID)

	var e apiError
	if status := call(t, httpClient(t), "POST", reportURL, map[string]any{"reason": "boring"}, &e); status != http.StatusUnprocessableEntity {
		t.Errorf("unknown reason: %d %+v", status, e.Error)
	}
	first := httpClient(t)
	var res struct{ Reported, Hidden bool }
	if status := call(t, first, "POST", reportURL, map[string]any{"reason": "ads"}, &res); status != http.StatusOK || !res.Reported || res.Hidden {
		t.Fatalf("first report: %d %+v", status, res)
	}
	if call(t, first, "POST", reportURL, map[string]any{"reason": "spam"}, &res); res.Reported {
		t.Fatalf("the same viewer counted twice: %+v", res)
	}
	if m := modWS.feedUntil(func(m modComment) bool { return m.ID == c.Comment.ID && m.Reports == 1 }); m.Reasons["ads"] != 1 {
		t.Errorf("the moderators' feed heard %+v, want one report for ads", m)
	}
	var queue struct{ Comments []modComment }
	if status := call(t, mod, "GET", s.URL()+"/api/admin/reports", nil, &queue); status != http.StatusOK || len(queue.Comments) != 1 || queue.Comments[0].Reports != 1 {
		t.Fatalf("reported queue: %d %+v", status, queue)
	}
	if _, snap := modSocket(t, s, mod1); len(snap.Reported) != 1 || snap.Reported[0].ID != c.Comment.ID {
		t.Fatalf("snapshot's reported queue: %+v", snap.Reported)
	}
	if status := call(t, httpClient(t), "GET", s.URL()+"/api/admin/reports", nil, nil); status != http.StatusUnauthorized && status != http.StatusForbidden {
		t.Errorf("a viewer read the queue: %d", status)
	}

	// The second viewer's report, over a socket, hides it.
	reporter := dial(t, s, "?room=demo")
	reporter.next(protocol.TypeWelcome)
	reporter.send(map[string]any{"type": "report", "ref": "r", "comment_id": c.Comment.ID, "reason": "spam"})
	ack := reporter.nextSkipping(protocol.TypeAck, protocol.TypeRetract, protocol.TypePresence, protocol.TypeLikes, protocol.TypeWeights)
	if !ack.OK || ack.Room != "demo" {
		t.Fatalf("report ack: %+v %+v", ack, ack.Error)
	}
	if r := watcher.next(protocol.TypeRetract); !slices.Equal(r.IDs, []int64{c.Comment.ID}) {
		t.Fatalf("viewers got retract %+v, want the hidden comment", r)
	}
	if hasID(replay(t, s, mod, "demo"), c.Comment.ID) {
		t.Fatal("the hidden comment is still in the replay")
	}
	var held struct{ Comments []modComment }
	call(t, mod, "GET", s.URL()+"/api/admin/held", nil, &held)
	if len(held.Comments) != 1 || held.Comments[0].Note != "reported by 2 viewers: spam, ads" {
		t.Fatalf("held queue: %+v", held.Comments)
	}
	// Approving brings it back and clears its reports.
	if status, changed := decide(t, s, mod, "approve", c.Comment.ID); status != http.StatusOK || changed[0].Reports != 0 {
		t.Fatalf("approve: %d %+v", status, changed)
	}
	if got := watcher.next(protocol.TypeComments); got.Items[0].ID != c.Comment.ID {
		t.Fatalf("after approval viewers got %+v", got.Items)
	}
	if call(t, mod, "GET", s.URL()+"/api/admin/reports", nil, &queue); len(queue.Comments) != 0 {
		t.Fatalf("queue after approval: %+v", queue.Comments)
	}

	// A report a moderator dismisses leaves the comment where it is.
	if call(t, httpClient(t), "POST", reportURL, map[string]any{"reason": "other"}, &res); !res.Reported {
		t.Fatalf("a third viewer's report: %+v", res)
	}
	var dismissed struct{ Comments []modComment }
	if status := call(t, mod, "POST", s.URL()+"/api/admin/reports/dismiss", map[string]any{"ids": []int64{c.Comment.ID}}, &dismissed); status != http.StatusOK ||
		len(dismissed.Comments) != 1 || dismissed.Comments[0].Status != "visible" {
		t.Fatalf("dismiss: %d %+v", status, dismissed)
	}
	var own apiError
	if status := call(t, httpClient(t), "POST", s.URL()+"/api/comments/999999/report", map[string]any{"reason": "spam"}, &own); status != http.StatusNotFound {
		t.Errorf("reporting an unknown comment: %d %+v", status, own.Error)
	}
}

// TestRecallRetractsEverywhere: a sender recalls their comment over the
// socket or REST; every viewer drops it within moments, and replay no
// longer has it. Someone else's comment cannot be recalled.
func TestRecallRetractsEverywhere(t *testing.T) {
	s := startServer(t)
	jar := httpClient(t).Jar
	sender := dial(t, s, "?room=demo", dialOpts{jar: jar})
	sender.next(protocol.TypeWelcome)
	_, watcher := pair(t, s, "demo")
	a := sendAcked(sender, "a", "typo")
	b := sendAcked(sender, "b", "another typo")
	watcher.comments(2)

	other := dial(t, s, "?room=demo")
	other.next(protocol.TypeWelcome)
	other.send(map[string]any{"type": "recall", "ref": "x", "comment_id": a.Comment.ID})
	if ack := other.ack(); ack.OK || ack.Error.Code != "forbidden" {
		t.Fatalf("recalling someone else's comment: %+v", ack)
	}

	start := time.Now()
	sender.send(map[string]any{"type": "recall", "ref": "r", "comment_id": a.Comment.ID})
	if ack := sender.nextSkipping(protocol.TypeAck, protocol.TypeRetract, protocol.TypePresence, protocol.TypeComments); !ack.OK || ack.Room != "demo" {
		t.Fatalf("recall ack: %+v %+v", ack, ack.Error)
	}
	if r := watcher.next(protocol.TypeRetract); !slices.Equal(r.IDs, []int64{a.Comment.ID}) {
		t.Fatalf("the watcher got %+v, want the recalled comment", r)
	}
	if lag := time.Since(start); lag > 2*time.Second {
		t.Errorf("the retraction took %s, want under 2 s", lag)
	}
	if status := call(t, &http.Client{Jar: jar}, "POST", fmt.Sprintf("%s/api/comments/%d/recall", s.URL(), b.Comment.ID), nil, nil); status != http.StatusOK {
		t.Fatalf("REST recall: %d", status)
	}
	if r := watcher.next(protocol.TypeRetract); !slices.Equal(r.IDs, []int64{b.Comment.ID}) {
		t.Fatalf("the watcher got %+v, want the second recalled comment", r)
	}
	list := replay(t, s, httpClient(t), "demo")
	if hasID(list, a.Comment.ID) || hasID(list, b.Comment.ID) {
		t.Fatalf("replay still has a recalled comment: %+v", list)
	}
	var e apiError
	if status := call(t, &http.Client{Jar: jar}, "POST", fmt.Sprintf("%s/api/comments/%d/recall", s.URL(), a.Comment.ID), nil, &e); status != http.StatusNotFound {
		t.Errorf("recalling twice: %d %+v, want 404", status, e.Error)
	}
}

// TestWeightsReachViewers: a comment carries its quality weight, and a
// like that changes it is followed by a weights frame.
func TestWeightsReachViewers(t *testing.T) {
	s := startServer(t)
	sender, watcher := pair(t, s, "demo")
	c := sendAcked(sender, "c", "a comment worth reading")
	got := watcher.comments(1)[0]
	if got.Weight != c.Comment.Weight || got.Weight < 1 || got.Weight > 10 {
		t.Fatalf("comment weighs %d (ack said %d), want 1 to 10", got.Weight, c.Comment.Weight)
	}
	call(t, httpClient(t), "POST", fmt.Sprintf("%s/api/comments/%d/like", s.URL(), c.Comment.ID), nil, nil)
	f := watcher.nextSkipping(protocol.TypeWeights, protocol.TypeLikes, protocol.TypePresence)
	if w := f.Weights[fmt.Sprint(c.Comment.ID)]; w != got.Weight+1 {
		t.Fatalf("weights frame %+v, want %d", f.Weights, got.Weight+1)
	}
}

// sendAcked sends a comment over c and returns its ack, passing over the
// broadcasts that may come first.
func sendAcked(c *wsClient, ref, text string) frame {
	c.t.Helper()
	c.send(map[string]any{"type": "comment", "ref": ref, "text": text, "time": 1.5})
	ack := c.ack()
	if !ack.OK {
		c.t.Fatalf("comment %q: %+v", text, ack.Error)
	}
	return ack
}
