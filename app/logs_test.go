package app_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/protocol"
)

// logBuffer collects a server's log output.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsHoldNoSecretsOrComments drives every way in, the failures and the
// abuse paths with the log at debug level, then looks for tokens, cookies
// and comment text in it.
func TestLogsHoldNoSecretsOrComments(t *testing.T) {
	logs := &logBuffer{}
	s := startServer(t, func(c *app.Config) {
		c.Logger = slog.New(slog.NewTextHandler(io.MultiWriter(logs, apptest.LogWriter(t)), &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.FrameRate, c.FrameBurst = 50, 5
	})
	tok := token(t, s, alice, time.Hour)
	expired := token(t, s, alice, -time.Minute)
	const text = "SECRET-COMMENT-TEXT"

	// The four ways, each sending a comment.
	for _, c := range []*wsClient{
		dial(t, s, "?room=demo&token="+tok),
		dial(t, s, "?room=demo", dialOpts{header: bearerHeader(tok)}),
		dial(t, s, "?room=demo", dialOpts{jar: signedInJar(t, s, tok)}),
	} {
		c.next(protocol.TypeWelcome)
		c.say("1", text)
	}
	framed := dial(t, s, "?room=demo")
	framed.next(protocol.TypeWelcome)
	framed.send(map[string]string{"type": "auth", "token": tok})
	framed.authed()
	framed.say("2", text)

	// Failures: bad tokens at the handshake, in a frame, at login.
	tryDial(t, s, "?room=demo&token="+expired)
	tryDial(t, s, "?room=demo", dialOpts{header: bearerHeader(expired + "x")})
	bad := dial(t, s, "?room=demo")
	bad.next(protocol.TypeWelcome)
	bad.send(map[string]string{"type": "auth", "token": expired})
	bad.waitClosed()
	hc := browser(t)
	var cookies []string // guest and nickname sessions set along the way
	cookies = append(cookies, sessionSetCookie(t, get(t, hc, s.URL()+"/")).Value)
	cookies = append(cookies, sessionSetCookie(t, postForm(t, hc, s.URL()+"/login", url.Values{"nickname": {"Nick"}})).Value)
	postForm(t, hc, s.URL()+"/login", url.Values{"token": {expired}})
	postForm(t, hc, s.URL()+"/login", url.Values{"token": {tok}})
	call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": text}, nil)
	call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", "{\"text\":\""+text+"\xff\"}", nil)
	call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": text + strings.Repeat("x", 200)}, nil)
	postForm(t, hc, s.URL()+"/api/rooms/demo/comments", url.Values{"text": {text}}, "Origin", "https://evil.example")

	// Abuse: a flood of comments, an oversized frame, a cross-site handshake.
	flood := dial(t, s, "?room=demo&token="+tok)
	flood.next(protocol.TypeWelcome)
	for range 50 {
		if flood.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"comment","text":"`+text+`"}`)) != nil {
			break
		}
	}
	flood.waitClosed()
	huge := dial(t, s, "?room=demo&token="+tok)
	huge.next(protocol.TypeWelcome)
	huge.sendRaw(websocket.TextMessage, []byte(`{"type":"comment","text":"`+text+strings.Repeat("y", 5000)+`"}`))
	huge.waitClosed()
	tryDial(t, s, "?room=demo&token="+tok, dialOpts{origin: "https://evil.example"})

	postForm(t, hc, s.URL()+"/logout", nil)
	s.stop(t)

	out := logs.String()
	if !strings.Contains(out, "request") || !strings.Contains(out, "signed out") {
		t.Fatalf("the log is missing lines it should have:\n%s", out)
	}
	for name, secret := range map[string]string{
		"token":                   tok,
		"token signature":         tok[strings.LastIndexByte(tok, '.')+1:],
		"expired token":           expired,
		"expired token signature": expired[strings.LastIndexByte(expired, '.')+1:],
		"comment text":            text,
		"the secret":              testSecret,
	} {
		if strings.Contains(out, secret) {
			t.Errorf("the log contains the %s", name)
		}
	}
	for _, k := range cookies {
		if strings.Contains(out, k) {
			t.Errorf("the log contains a session cookie")
		}
	}
}
