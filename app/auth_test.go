package app_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
)

var alice = auth.Identity{ID: "u1", Name: "Alice", Roles: []string{auth.RoleModerator}}

// signedInJar is a cookie jar holding a session cookie with tok, as a
// browser has after signing in.
func signedInJar(t *testing.T, s *testServer, tok string) http.CookieJar {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	setSession(t, s, jar, tok)
	return jar
}

func bearerHeader(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

// wantUser fails unless me is who.
func wantUser(t *testing.T, me *protocol.Me, who auth.Identity) {
	t.Helper()
	if me == nil || me.ID != who.ID || me.Name != who.Name || me.Guest != who.Guest || !slices.Equal(me.Roles, who.Roles) {
		t.Fatalf("user = %+v, want %+v", me, who)
	}
}

// authed returns the next authed frame, skipping broadcasts.
func (c *wsClient) authed() frame {
	c.t.Helper()
	return c.nextSkipping(protocol.TypeAuthed, protocol.TypePresence, protocol.TypeLikes, protocol.TypeComments)
}

// say sends a comment and returns its ack, skipping broadcasts (which may
// overtake the ack).
func (c *wsClient) say(ref, text string) frame {
	c.t.Helper()
	c.send(map[string]any{"type": "comment", "ref": ref, "text": text, "time": 1.5})
	return c.ack()
}

func TestFourWaysToAuthenticateASocket(t *testing.T) {
	s := startServer(t)
	tok := token(t, s, alice, time.Hour)
	for _, tc := range []struct {
		name  string
		query string
		opts  dialOpts
		frame bool // authenticate with an auth frame after connecting
	}{
		{"token in the query", "?room=demo&token=" + tok, dialOpts{}, false},
		{"auth frame", "?room=demo", dialOpts{}, true},
		{"session cookie", "?room=demo", dialOpts{jar: signedInJar(t, s, tok)}, false},
		{"bearer header", "?room=demo", dialOpts{header: bearerHeader(tok)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, s, tc.query, tc.opts)
			w := c.next(protocol.TypeWelcome)
			if tc.frame {
				if !w.User.Guest {
					t.Fatalf("before auth the socket should be a guest, is %+v", w.User)
				}
				c.send(map[string]string{"type": "auth", "token": tok, "ref": "a1"})
				authed := c.next(protocol.TypeAuthed)
				if authed.Ref != "a1" || authed.ExpiresAt == nil || authed.ExpiresAt.Time().Before(time.Now()) {
					t.Fatalf("authed = %+v, want ref a1 and a future expires_at", authed)
				}
				wantUser(t, authed.User, alice)
			} else {
				wantUser(t, w.User, alice)
			}
			// Comments are signed with the authenticated user.
			ack := c.say("c1", "signed "+tc.name)
			if !ack.OK || ack.Comment.User.ID != alice.ID || ack.Comment.User.Name != alice.Name {
				t.Fatalf("ack = %+v, want a comment by %s", ack, alice.ID)
			}
		})
	}
}

func TestBadTokensAreRefusedAtTheHandshake(t *testing.T) {
	s := startServer(t)
	good := token(t, s, alice, time.Hour)
	forged, err := auth.NewSigner([]byte("another-secret-another-secret-another")).Issue(alice, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
		"sub": "u1", "name": "Alice", "roles": []string{"admin"}, "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + strings.TrimRight(parts[1], "=") + "x." + parts[2]
	for _, tc := range []struct{ name, tok, message string }{
		{"garbage", "not-a-token", "invalid token"},
		{"forged with another secret", forged, "invalid token"},
		{"alg none", none, "invalid token"},
		{"tampered claims", tampered, "invalid token"},
		{"expired", token(t, s, alice, -time.Minute), "token expired"},
		{"unknown role", token(t, s, auth.Identity{ID: "u2", Name: "Bob", Roles: []string{"superuser"}}, time.Hour), "invalid token"},
		{"guest claiming moderator", token(t, s, auth.Identity{ID: "g-1", Name: "x", Roles: []string{auth.RoleModerator}, Guest: true}, time.Hour), "invalid token"},
	} {
		for _, way := range []string{"query", "bearer"} {
			t.Run(tc.name+" in "+way, func(t *testing.T) {
				query, opts := "?room=demo", dialOpts{}
				if way == "query" {
					query += "&token=" + url.QueryEscape(tc.tok)
				} else {
					opts.header = bearerHeader(tc.tok)
				}
				_, resp, err := tryDial(t, s, query, opts)
				if err == nil {
					t.Fatal("handshake succeeded")
				}
				if resp == nil || resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("response %v, want 401", resp)
				}
				if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
					t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
				}
				var e apiError
				if status := call(t, bearerClient(t, tc.tok), "GET", s.URL()+"/api/rooms", nil, &e); status != http.StatusUnauthorized ||
					e.Error.Code != "unauthorized" || !strings.Contains(e.Error.Message, tc.message) {
					t.Fatalf("REST with the same token: %d %+v, want 401 unauthorized saying %q", status, e.Error, tc.message)
				}
			})
		}
	}
}

func TestAuthFrameWithABadTokenGetsAnErrorThenClose1008(t *testing.T) {
	s := startServer(t)
	for _, tc := range []struct{ name, tok, reason string }{
		{"garbage", "nope", "invalid token"},
		{"expired", token(t, s, alice, -time.Minute), "token expired: get a fresh one"},
		{"empty", "", "invalid token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, s, "?room=demo")
			c.next(protocol.TypeWelcome)
			c.send(map[string]string{"type": "auth", "token": tc.tok, "ref": "a"})
			if f := c.next(protocol.TypeError); f.Code != "unauthorized" || f.Ref != "a" {
				t.Fatalf("error frame = %+v, want unauthorized for ref a", f)
			}
			if code := c.waitClosed(); code != websocket.ClosePolicyViolation || c.reason() != tc.reason {
				t.Fatalf("closed with %d %q, want 1008 %q", code, c.reason(), tc.reason)
			}
		})
	}
}

func TestWithoutGuestsASocketMustAuthenticateFirst(t *testing.T) {
	s := startServer(t, func(c *app.Config) {
		c.Guests = app.GuestsOff
		// Long enough for the round trips below on a loaded machine; the
		// silent sockets are then waited for, not timed.
		c.AuthTimeout = 2 * time.Second
	})
	tok := token(t, s, alice, time.Hour)

	// Credentials at the handshake work as usual; a guest token does not.
	wantUser(t, dial(t, s, "?room=demo", dialOpts{header: bearerHeader(tok)}).next(protocol.TypeWelcome).User, alice)
	guest := token(t, s, auth.NewGuest(), time.Hour)
	if _, resp, err := tryDial(t, s, "?room=demo&token="+guest); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("guest token with guests off: %v, want 401", resp)
	}

	// Without credentials: nothing but auth is accepted, and only for a while.
	idle := dial(t, s, "?room=demo")
	late := dial(t, s, "")
	authed := dial(t, s, "?room=demo")
	late.send(map[string]any{"type": "join", "room": "demo", "ref": "j"})
	if f := late.next(protocol.TypeError); f.Code != "unauthorized" || f.Ref != "j" {
		t.Fatalf("join before auth: %+v, want unauthorized", f)
	}
	late.send(map[string]any{"type": "comment", "ref": "c", "room": "demo", "text": "sneaky"})
	if f := late.next(protocol.TypeAck); f.OK || f.Error.Code != "unauthorized" {
		t.Fatalf("comment before auth: %+v, want a failed ack, unauthorized", f)
	}

	authed.send(map[string]string{"type": "auth", "token": tok})
	wantUser(t, authed.next(protocol.TypeAuthed).User, alice)
	// The join the handshake asked for happens once authenticated.
	if w := authed.next(protocol.TypeWelcome); w.Room != "demo" {
		t.Fatalf("welcome = %+v", w)
	}

	for name, c := range map[string]*wsClient{"silent": idle, "refused frames": late} {
		if code := c.waitClosed(); code != websocket.ClosePolicyViolation || c.reason() != "authentication timeout" {
			t.Fatalf("%s socket closed with %d %q, want 1008 authentication timeout", name, code, c.reason())
		}
	}
	// The deadline has passed for all three; the one that authenticated stays.
	authed.send(map[string]string{"type": "ping", "ref": "still"})
	if f := authed.next(protocol.TypePong); f.Ref != "still" {
		t.Fatalf("pong = %+v", f)
	}
	// Nothing was stored from the refused comment.
	var page struct{ Comments []protocol.Comment }
	call(t, bearerClient(t, tok), "GET", s.URL()+"/api/rooms/demo/comments?after_seq=12", nil, &page)
	if len(page.Comments) != 0 {
		t.Fatalf("stored %+v", page.Comments)
	}
}

func TestTokenExpiryClosesTheSocket(t *testing.T) {
	s := startServer(t)
	// JWT expiry is in whole seconds: these expire within two.
	short := token(t, s, alice, 2*time.Second)
	expiring := dial(t, s, "?room=demo", dialOpts{header: bearerHeader(short)})
	renewed := dial(t, s, "?room=demo&token="+short)
	expiring.next(protocol.TypeWelcome)
	renewed.next(protocol.TypeWelcome)

	// Re-authenticating before expiry moves the deadline to the new token's.
	renewed.send(map[string]string{"type": "auth", "token": token(t, s, alice, time.Hour)})
	renewed.next(protocol.TypeAuthed)

	if code := expiring.waitClosed(); code != websocket.ClosePolicyViolation || expiring.reason() != "token expired" {
		t.Fatalf("closed with %d %q, want 1008 token expired", code, expiring.reason())
	}
	renewed.send(map[string]string{"type": "ping", "ref": "alive"})
	if f := renewed.next(protocol.TypePong); f.Ref != "alive" {
		t.Fatalf("the renewed socket: %+v", f)
	}
	// A fresh token gets the user back in.
	wantUser(t, dial(t, s, "?room=demo", dialOpts{header: bearerHeader(token(t, s, alice, time.Hour))}).next(protocol.TypeWelcome).User, alice)
}

func TestIdentityChangesTakeEffectOnTheNextFrame(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.Guests = app.GuestsWatch })
	viewer := auth.Identity{ID: "u2", Name: "Bob", Roles: []string{auth.RoleViewer}}
	c := dial(t, s, "?room=demo", dialOpts{header: bearerHeader(token(t, s, viewer, time.Hour))})
	c.next(protocol.TypeWelcome)
	if ack := c.say("1", "as Bob"); !ack.OK {
		t.Fatalf("signed-in comment: %+v", ack)
	}

	// Re-authenticating as a guest takes Bob's rights away at once.
	guest := auth.NewGuest()
	c.send(map[string]string{"type": "auth", "token": token(t, s, guest, time.Hour)})
	wantUser(t, c.authed().User, guest)
	for _, frame := range []map[string]any{
		{"type": "comment", "ref": "2", "text": "as a guest"},
		{"type": "like", "ref": "3"},
	} {
		c.send(frame)
		if ack := c.ack(); ack.OK || ack.Error.Code != "unauthorized" {
			t.Fatalf("%s after switching to a guest: %+v, want unauthorized", frame["type"], ack)
		}
	}

	// And signing in again gives them back.
	c.send(map[string]string{"type": "auth", "token": token(t, s, viewer, time.Hour)})
	c.authed()
	if ack := c.say("4", "Bob again"); !ack.OK || ack.Comment.User.ID != "u2" {
		t.Fatalf("%+v", ack)
	}
}
