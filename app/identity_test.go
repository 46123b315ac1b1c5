package app_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/protocol"
)

func TestGuestIdentityPersistsInASignedCookie(t *testing.T) {
	s := startServer(t)
	jar, _ := cookiejar.New(nil)

	first := dial(t, s, "?room=demo", dialOpts{jar: jar})
	w1 := first.next(protocol.TypeWelcome)
	if w1.User == nil || !strings.HasPrefix(w1.User.Name, "guest-") {
		t.Fatalf("welcome user = %+v, want a guest", w1.User)
	}
	u, _ := url.Parse(s.URL())
	cookies := jar.Cookies(u)
	if len(cookies) != 1 || cookies[0].Name != "danmaku_session" {
		t.Fatalf("handshake set cookies %v, want danmaku_session", cookies)
	}

	again := dial(t, s, "?room=demo", dialOpts{jar: jar})
	if w2 := again.next(protocol.TypeWelcome); w2.User.User != w1.User.User {
		t.Fatalf("same browser came back as %+v, want %+v", w2.User, w1.User)
	}
	if w3 := dial(t, s, "?room=demo").next(protocol.TypeWelcome); w3.User.ID == w1.User.ID {
		t.Fatal("a client without the cookie got the same identity")
	}

	// A tampered cookie is ignored: the client becomes a new guest.
	forged, _ := cookiejar.New(nil)
	c := *cookies[0]
	c.Value = c.Value[:len(c.Value)-2] + "xx"
	forged.SetCookies(u, []*http.Cookie{&c})
	if w4 := dial(t, s, "?room=demo", dialOpts{jar: forged}).next(protocol.TypeWelcome); w4.User.ID == w1.User.ID {
		t.Fatal("a forged cookie was accepted")
	}
}
