package app_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/protocol"
)

// Absence is checked with a marker: a later comment that the viewer must
// receive first. Comments are fanned out in commit order, so anything the
// server wrongly let through would arrive before it.

func TestListedWordWithRejectReachesOnlyTheSender(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [{name: wordfilter, config: {words: [badword], action: reject}}]`))
	sender, viewer := pair(t, s, "demo")

	ack := sender.comment("bad", "this is a ＢＡＤ word: badword")
	if ack.OK || ack.Error == nil || ack.Error.Code != "rejected" || !strings.Contains(ack.Error.Message, "blocked word") {
		t.Fatalf("ack = %+v %+v, want ok:false, code rejected, with the plugin's reason", ack, ack.Error)
	}
	marker := sender.comment("ok", "a clean comment")
	if !marker.OK {
		t.Fatalf("clean comment: %+v", marker.Error)
	}
	for name, c := range map[string]*wsClient{"viewer": viewer, "sender": sender} {
		if got := c.comments(1)[0]; got.ID != marker.Comment.ID {
			t.Errorf("%s got %q first, want only the clean comment", name, got.Text)
		}
	}
	if hasText(replay(t, s, httpClient(t), "demo"), "this is a ＢＡＤ word: badword") {
		t.Error("replay returns the rejected comment")
	}

	var e apiError
	status := call(t, httpClient(t), "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": "badword over REST"}, &e)
	if status != http.StatusUnprocessableEntity || e.Error.Code != "rejected" {
		t.Fatalf("REST: status %d %+v, want 422 rejected", status, e.Error)
	}
}

func TestListedWordWithMaskIsMaskedForViewersAndReplay(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [{name: wordfilter, config: {words: [badword], action: mask}}]`))
	sender, viewer := pair(t, s, "demo")

	ack := sender.comment("m", "you badword you")
	const masked = "you ******* you"
	if !ack.OK || ack.Comment.Text != masked {
		t.Fatalf("ack = %+v, want ok with the masked text", ack)
	}
	if got := viewer.comments(1)[0]; got.Text != masked || got.ID != ack.Comment.ID {
		t.Fatalf("viewer got %q, want %q", got.Text, masked)
	}
	list := replay(t, s, httpClient(t), "demo")
	if !hasText(list, masked) || hasText(list, "you badword you") {
		t.Fatalf("replay should hold the masked text only: %+v", list)
	}
	if got := afterSeq(t, s, "demo", ack.Comment.Seq-1); len(got) != 1 || got[0].Text != masked {
		t.Fatalf("after_seq replay: %+v, want the masked comment", got)
	}
}

func TestHeldCommentReachesViewersOnlyAfterApprove(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [{name: nospoilers, config: {words: [snape], window: 10m}}]`))
	mod := clientAs(t, s, mod1)
	sender, viewer := pair(t, s, "demo")
	feed, _ := modSocket(t, s, mod1)

	ack := sender.comment("h", "Snape kills him")
	if ack.OK || ack.Error == nil || ack.Error.Code != "held" || !strings.Contains(ack.Error.Message, "spoiler") {
		t.Fatalf("ack = %+v %+v, want ok:false, code held, with the reason", ack, ack.Error)
	}
	pushed := feed.feedUntil(func(m modComment) bool { return m.Text == "Snape kills him" })
	if pushed.Status != "held" || pushed.Seq != 0 || !strings.HasPrefix(pushed.Note, "nospoilers: ") || pushed.IP == "" {
		t.Fatalf("moderators were pushed %+v, want it held, without seq, with the plugin's note and the address", pushed)
	}
	marker := sender.comment("m", "no spoilers here")
	if got := viewer.comments(1)[0]; got.ID != marker.Comment.ID {
		t.Fatalf("viewer got %q before approval", got.Text)
	}
	var queue struct{ Comments []modComment }
	if status := call(t, mod, "GET", s.URL()+"/api/admin/held?room=demo", nil, &queue); status != http.StatusOK ||
		len(queue.Comments) != 1 || queue.Comments[0].ID != pushed.ID {
		t.Fatalf("held queue: status %d, %+v", status, queue.Comments)
	}
	if hasID(replay(t, s, httpClient(t), "demo"), pushed.ID) {
		t.Fatal("replay returns a held comment")
	}

	status, changed := decide(t, s, mod, "approve", pushed.ID)
	if status != http.StatusOK || len(changed) != 1 || changed[0].Status != "visible" || changed[0].Seq != marker.Comment.Seq+1 || changed[0].ModeratedBy != mod1.ID {
		t.Fatalf("approve: status %d, %+v; want it visible with seq %d", status, changed, marker.Comment.Seq+1)
	}
	for name, c := range map[string]*wsClient{"viewer": viewer, "sender": sender} {
		if name == "sender" {
			c.comments(1) // its own marker
		}
		if got := c.comments(1)[0]; got.ID != pushed.ID || got.Seq != changed[0].Seq || got.Text != "Snape kills him" {
			t.Errorf("%s got %+v, want the approved comment with its new seq", name, got)
		}
	}
	late := dial(t, s, "?room=demo&since="+strconv.FormatInt(marker.Comment.Seq, 10))
	late.next(protocol.TypeWelcome)
	if got := late.comments(1)[0]; got.ID != pushed.ID {
		t.Errorf("catch-up after the marker gave %+v, want the approved comment", got)
	}
	if !hasID(replay(t, s, httpClient(t), "demo"), pushed.ID) {
		t.Error("replay lacks the approved comment")
	}
	var room struct {
		CommentCount int64 `json:"comment_count"`
	}
	call(t, httpClient(t), "GET", s.URL()+"/api/rooms/demo", nil, &room)
	if room.CommentCount != 14 {
		t.Errorf("comment_count = %d, want 14: 12 seeded, the marker and the approved one", room.CommentCount)
	}
	if status, _ := decide(t, s, mod, "approve", pushed.ID); status != http.StatusConflict {
		t.Errorf("approving it again: status %d, want 409", status)
	}
}

func TestRejectedHeldCommentNeverShows(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [{name: nospoilers, config: {words: [snape]}}]`))
	mod := clientAs(t, s, mod1)
	sender, viewer := pair(t, s, "demo")

	if ack := sender.comment("h", "snape again"); ack.OK || ack.Error.Code != "held" {
		t.Fatalf("ack = %+v", ack)
	}
	var queue struct{ Comments []modComment }
	call(t, mod, "GET", s.URL()+"/api/admin/held", nil, &queue)
	if len(queue.Comments) != 1 {
		t.Fatalf("held queue %+v, want the comment", queue.Comments)
	}
	id := queue.Comments[0].ID
	status, changed := decide(t, s, mod, "reject", id)
	if status != http.StatusOK || len(changed) != 1 || changed[0].Status != "deleted" || changed[0].Seq != 0 {
		t.Fatalf("reject: status %d, %+v; want it deleted, without seq", status, changed)
	}
	marker := sender.comment("m", "fine")
	if got := viewer.comments(1)[0]; got.ID != marker.Comment.ID {
		t.Fatalf("viewer got %q: a rejected comment was shown", got.Text)
	}
	call(t, mod, "GET", s.URL()+"/api/admin/held", nil, &queue)
	if len(queue.Comments) != 0 {
		t.Errorf("held queue after reject: %+v", queue.Comments)
	}
	if hasID(replay(t, s, httpClient(t), "demo"), id) {
		t.Error("replay returns a rejected comment")
	}
	if status, _ := decide(t, s, mod, "approve", id); status != http.StatusConflict {
		t.Errorf("approving a rejected comment: status %d, want 409", status)
	}
}

func TestDeletedCommentIsRetractedFromViewersAndReplay(t *testing.T) {
	s := startServer(t)
	mod := clientAs(t, s, mod1)
	sender, viewer := pair(t, s, "demo")

	ack := sender.comment("d", "delete me")
	if got := viewer.comments(1)[0]; got.ID != ack.Comment.ID {
		t.Fatalf("viewer got %+v", got)
	}
	status, changed := decide(t, s, mod, "delete", ack.Comment.ID)
	if status != http.StatusOK || len(changed) != 1 || changed[0].Status != "deleted" {
		t.Fatalf("delete: status %d, %+v", status, changed)
	}
	for name, c := range map[string]*wsClient{"viewer": viewer, "sender": sender} {
		if name == "sender" {
			c.comments(1)
		}
		r := c.next(protocol.TypeRetract)
		if r.Room != "demo" || len(r.IDs) != 1 || r.IDs[0] != ack.Comment.ID {
			t.Errorf("%s got retract %+v, want room demo, ids [%d]", name, r, ack.Comment.ID)
		}
	}
	if hasID(replay(t, s, httpClient(t), "demo"), ack.Comment.ID) || len(afterSeq(t, s, "demo", ack.Comment.Seq-1)) != 0 {
		t.Error("replay still returns the deleted comment")
	}
	late := dial(t, s, "?room=demo&since="+strconv.FormatInt(ack.Comment.Seq-1, 10))
	late.next(protocol.TypeWelcome)
	marker := sender.comment("m", "after the delete")
	if got := late.comments(1)[0]; got.ID != marker.Comment.ID {
		t.Errorf("catch-up returned %+v, want only the later comment", got)
	}
	var room struct {
		CommentCount int64 `json:"comment_count"`
	}
	call(t, httpClient(t), "GET", s.URL()+"/api/rooms/demo", nil, &room)
	if room.CommentCount != 13 {
		t.Errorf("comment_count = %d, want 13: 12 seeded plus the marker", room.CommentCount)
	}
	var e apiError
	if status := call(t, httpClient(t), "POST", s.URL()+"/api/comments/"+strconv.FormatInt(ack.Comment.ID, 10)+"/like", nil, &e); status != http.StatusNotFound {
		t.Errorf("liking a deleted comment: status %d, want 404", status)
	}
	if status, again := decide(t, s, mod, "delete", ack.Comment.ID); status != http.StatusOK || len(again) != 0 {
		t.Errorf("deleting it again: status %d, %+v; want 200 and nothing changed", status, again)
	}
	if status, _ := decide(t, s, mod, "delete", 999999); status != http.StatusNotFound {
		t.Errorf("deleting an unknown comment: status %d, want 404", status)
	}
}

func TestShadowedCommentsShowOnlyToTheirSender(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [{name: blocklist, config: {action: shadow}}]`))
	mod := clientAs(t, s, mod1)
	if status := call(t, mod, "POST", s.URL()+"/api/admin/bans", map[string]any{"user_id": troll.ID, "reason": "spam"}, nil); status != http.StatusCreated {
		t.Fatalf("ban: status %d", status)
	}
	jar := jarAs(t, s, troll)
	tab1 := dial(t, s, "?room=demo", dialOpts{jar: jar}) // a shadow-banned user may still join
	tab2 := dial(t, s, "?room=demo", dialOpts{jar: jar})
	other := dial(t, s, "?room=demo")
	var welcome frame
	for _, c := range []*wsClient{tab1, tab2, other} {
		welcome = c.next(protocol.TypeWelcome)
	}

	ack := tab1.comment("s", "buy followers")
	if !ack.OK || ack.Comment == nil || ack.Comment.Seq != welcome.LastSeq+1 {
		t.Fatalf("ack = %+v, want ok with the comment and the seq it would have taken, %d", ack, welcome.LastSeq+1)
	}
	for name, c := range map[string]*wsClient{"sending tab": tab1, "other tab": tab2} {
		if got := c.comments(1)[0]; got.ID != ack.Comment.ID {
			t.Errorf("%s got %+v, want the shadowed comment", name, got)
		}
	}
	marker := dial(t, s, "?room=demo")
	marker.next(protocol.TypeWelcome)
	m := marker.comment("m", "hello")
	for name, c := range map[string]*wsClient{"another viewer": other, "sending tab": tab1} {
		if got := c.comments(1)[0]; got.ID != m.Comment.ID {
			t.Fatalf("%s got %q, want the marker", name, got.Text)
		}
	}
	trollHTTP := &http.Client{Jar: jar, Timeout: waitFor}
	if !hasID(replay(t, s, trollHTTP, "demo"), ack.Comment.ID) {
		t.Error("the shadowed sender's replay lacks their comment: the illusion breaks on reload")
	}
	if hasID(replay(t, s, httpClient(t), "demo"), ack.Comment.ID) {
		t.Error("another viewer's replay returns the shadowed comment")
	}
	var recent struct{ Comments []modComment }
	call(t, mod, "GET", s.URL()+"/api/admin/comments?room=demo&status=shadowed", nil, &recent)
	if len(recent.Comments) != 1 || recent.Comments[0].ID != ack.Comment.ID || !strings.Contains(recent.Comments[0].Note, "blocklist") {
		t.Errorf("moderators see %+v, want the shadowed comment with its note", recent.Comments)
	}

	// Deleting it retracts it from its sender only.
	decide(t, s, mod, "delete", ack.Comment.ID)
	if r := tab1.next(protocol.TypeRetract); len(r.IDs) != 1 || r.IDs[0] != ack.Comment.ID {
		t.Errorf("sender got retract %+v", r)
	}
	marker.send(map[string]any{"type": "comment", "ref": "m2", "text": "hello again"})
	m2 := marker.ack()
	if got := other.comments(1)[0]; got.ID != m2.Comment.ID {
		t.Errorf("another viewer got %+v", got)
	}
}

// TestAShadowAckLooksLikeAnAcceptedOne compares, frame by frame, what a
// shadow-banned sender reads with what an accepted sender reads: the ack
// and the echo carry the same fields, and the seq the comment would have
// taken (the one the room's next comment then takes); a replay shows it
// with that seq again.
func TestAShadowAckLooksLikeAnAcceptedOne(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [{name: blocklist, config: {action: shadow}}]`))
	mod := clientAs(t, s, mod1)
	if status := call(t, mod, "POST", s.URL()+"/api/admin/bans", map[string]any{"user_id": troll.ID, "reason": "spam"}, nil); status != http.StatusCreated {
		t.Fatalf("ban: status %d", status)
	}
	jar := jarAs(t, s, troll)
	shadowed, accepted := dial(t, s, "?room=demo", dialOpts{jar: jar}), dial(t, s, "?room=demo")
	w := shadowed.next(protocol.TypeWelcome)
	accepted.next(protocol.TypeWelcome)

	shadowed.send(map[string]any{"type": "comment", "ref": "c1", "text": "buy followers", "time": 2})
	sAck := shadowed.nextSkipping(protocol.TypeAck, protocol.TypePresence, protocol.TypeLikes, protocol.TypeComments)
	sEcho := shadowed.comments(1)[0]
	accepted.send(map[string]any{"type": "comment", "ref": "c1", "text": "hello", "time": 2})
	aAck := accepted.ack()

	if sAck.Comment.Seq != w.LastSeq+1 || aAck.Comment.Seq != w.LastSeq+1 {
		t.Errorf("seqs: shadowed %d, accepted %d; want both %d, the room's next", sAck.Comment.Seq, aAck.Comment.Seq, w.LastSeq+1)
	}
	if sEcho.Seq != sAck.Comment.Seq || sEcho.ID != sAck.Comment.ID {
		t.Errorf("the shadowed echo %+v differs from its ack %+v", sEcho, sAck.Comment)
	}
	if got, want := shape(t, sAck.Raw), shape(t, aAck.Raw); got != want {
		t.Errorf("the shadowed ack has the fields %s, an accepted one %s", got, want)
	}
	for _, c := range replay(t, s, &http.Client{Jar: jar, Timeout: waitFor}, "demo") {
		if c.ID == sAck.Comment.ID && c.Seq != sAck.Comment.Seq {
			t.Errorf("the sender's replay shows seq %d, the ack said %d", c.Seq, sAck.Comment.Seq)
		}
	}
}

// shape lists a JSON object's keys, and those of the objects in it, sorted.
func shape(t *testing.T, raw []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			keys = append(keys, prefix+k)
			if sub, ok := v.(map[string]any); ok {
				walk(prefix+k+".", sub)
			}
		}
	}
	walk("", m)
	slices.Sort(keys)
	return strings.Join(keys, ",")
}
