package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/webhook"
)

const secret = "s3cret-for-tests"

// receiver is a real HTTP server on loopback that checks every request's
// signature independently of the plugin's code and answers with answer.
type receiver struct {
	*httptest.Server
	t        *testing.T
	answer   func(w http.ResponseWriter, req webhook.Request)
	requests atomic.Int64
	conns    atomic.Int64 // connections opened
	lastTS   atomic.Int64
	release  chan struct{} // closed at the end, for slow answers
}

func newReceiver(t *testing.T, answer func(w http.ResponseWriter, req webhook.Request)) *receiver {
	t.Helper()
	r := &receiver{t: t, answer: answer, release: make(chan struct{})}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	r.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			r.conns.Add(1)
		}
	}
	r.Start()
	t.Cleanup(func() { close(r.release); r.Close() })
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	r.requests.Add(1)
	body, err := io.ReadAll(req.Body)
	if err != nil {
		r.t.Errorf("reading the request: %v", err)
		return
	}
	ts := req.Header.Get(webhook.HeaderTimestamp)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	if got, want := req.Header.Get(webhook.HeaderSignature), "sha256="+hex.EncodeToString(mac.Sum(nil)); got != want {
		r.t.Errorf("signature %q, want %q", got, want)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if !webhook.Verify([]byte(secret), ts, body, req.Header.Get(webhook.HeaderSignature)) {
		r.t.Error("webhook.Verify refused a good signature")
	}
	if webhook.Verify([]byte("other"), ts, body, req.Header.Get(webhook.HeaderSignature)) {
		r.t.Error("webhook.Verify accepted another secret")
	}
	n, _ := strconv.ParseInt(ts, 10, 64)
	r.lastTS.Store(n)
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		r.t.Errorf("%s with Content-Type %q", req.Method, req.Header.Get("Content-Type"))
	}
	var wr webhook.Request
	if err := json.Unmarshal(body, &wr); err != nil {
		r.t.Errorf("request body %s: %v", body, err)
	}
	r.answer(w, wr)
}

// reply answers with a JSON value.
func reply(v any) func(http.ResponseWriter, webhook.Request) {
	return func(w http.ResponseWriter, _ webhook.Request) { _ = json.NewEncoder(w).Encode(v) }
}

func block(url string) string { return `{url: "` + url + `"}` }

func TestActions(t *testing.T) {
	t.Setenv(webhook.DefaultSecretEnv, secret)
	r := newReceiver(t, func(w http.ResponseWriter, req webhook.Request) {
		word, _, _ := strings.Cut(req.Comment.Text, " ")
		switch word {
		case "empty":
			w.WriteHeader(http.StatusNoContent)
		case "rewrite":
			text := strings.ToUpper(req.Comment.Text)
			_ = json.NewEncoder(w).Encode(webhook.Response{Action: "rewrite", Reason: "louder",
				Comment: &webhook.Rewrite{Text: &text, Metadata: map[string]string{"checked": "yes"}}})
		default:
			_ = json.NewEncoder(w).Encode(webhook.Response{Action: word, Reason: word + " by webhook"})
		}
	})
	h := plugintest.NewHost(t)
	p := plugintest.New(t, webhook.New, block(r.URL), h)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "allow", Text: "allow me", Want: plugins.ActionAllow},
		{Name: "204 is allow", Text: "empty", Want: plugins.ActionAllow},
		{Name: "reject", Text: "reject me", Want: plugins.ActionReject, WantReason: "reject by webhook"},
		{Name: "hold", Text: "hold me", Want: plugins.ActionHold, WantReason: "hold by webhook"},
		{Name: "shadow", Text: "shadow me", Want: plugins.ActionShadow, WantReason: "shadow by webhook"},
		{Name: "rewrite", Text: "rewrite me", Want: plugins.ActionRewrite, WantText: "REWRITE ME", WantReason: "louder"},
	})
	if got := r.lastTS.Load(); got != h.Clock.Now().Unix() {
		t.Errorf("timestamp %d, want the host clock's %d", got, h.Clock.Now().Unix())
	}
	if n := r.conns.Load(); n != 1 {
		t.Errorf("%d connections for %d requests, want 1 reused", n, r.requests.Load())
	}
	v, err := p.Moderate(t.Context(), plugintest.Comment("rewrite x"))
	if err != nil || v.Comment.Metadata["checked"] != "yes" || v.Comment.User.ID != "u1" {
		t.Errorf("rewrite: %+v, %v", v.Comment, err)
	}
}

func TestRequestCarriesTheComment(t *testing.T) {
	t.Setenv(webhook.DefaultSecretEnv, secret)
	got := make(chan webhook.Request, 1)
	r := newReceiver(t, func(w http.ResponseWriter, req webhook.Request) {
		got <- req
		w.WriteHeader(http.StatusNoContent)
	})
	p := plugintest.New(t, webhook.New, block(r.URL), nil)
	c := plugintest.Comment("你好")
	c.User.Roles = []string{"moderator"}
	c.Metadata = map[string]string{"via": "ws"}
	if _, err := p.Moderate(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	req := <-got
	want := webhook.Request{Version: 1, Comment: webhook.Comment{Room: "room1", User: webhook.User{ID: "u1", Name: "viewer", Roles: []string{"moderator"}},
		IP: "192.0.2.1", Text: "你好", Time: 12.5, Mode: "scroll", Color: "#ffffff", Size: "medium", Metadata: map[string]string{"via": "ws"}}}
	a, _ := json.Marshal(req)
	b, _ := json.Marshal(want)
	if string(a) != string(b) {
		t.Errorf("request\n%s\nwant\n%s", a, b)
	}
}

// TestFailuresFollowOnError runs each bad answer through a chain with
// on_error reject: every one is a failure, never a verdict.
func TestFailuresFollowOnError(t *testing.T) {
	t.Setenv(webhook.DefaultSecretEnv, secret)
	for _, tc := range []struct {
		name   string
		answer func(w http.ResponseWriter, req webhook.Request)
		want   string
	}{
		{"500", func(w http.ResponseWriter, _ webhook.Request) { http.Error(w, "boom", http.StatusInternalServerError) }, "500 Internal Server Error"},
		{"404", func(w http.ResponseWriter, _ webhook.Request) { http.NotFound(w, nil) }, "404 Not Found"},
		{"malformed JSON", func(w http.ResponseWriter, _ webhook.Request) { _, _ = io.WriteString(w, `{"action": "allow"`) }, "malformed answer"},
		{"unknown action", reply(map[string]string{"action": "maybe"}), `action "maybe"`},
		{"rewrite without comment", reply(map[string]string{"action": "rewrite"}), `a rewrite without "comment"`},
		{"redirect", func(w http.ResponseWriter, _ webhook.Request) {
			w.Header().Set("Location", "/x")
			w.WriteHeader(http.StatusFound)
		}, "302 Found"},
		{"huge", func(w http.ResponseWriter, _ webhook.Request) {
			_, _ = io.WriteString(w, strings.Repeat(" ", 70<<10)+`{"action":"allow"}`)
		}, "over 65536 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReceiver(t, tc.answer)
			s := plugintest.Set(t, nil, nil, `plugins: [{name: webhook, on_error: reject, timeout: 5s, config: `+block(r.URL)+`}]`)
			res := s.Run(t.Context(), plugintest.Comment("hi"))
			if res.Action != plugins.ActionReject || res.Err == nil || !strings.Contains(res.Err.Error(), tc.want) {
				t.Errorf("result %v, err %v; want a fail-closed reject whose error says %q", res.Action, res.Err, tc.want)
			}
		})
	}
}

func TestSlowReceiverTimesOut(t *testing.T) {
	t.Setenv(webhook.DefaultSecretEnv, secret)
	var r *receiver
	r = newReceiver(t, func(w http.ResponseWriter, req webhook.Request) {
		<-r.release // never answers while the test runs
	})
	s := plugintest.Set(t, nil, nil, `plugins: [{name: webhook, on_error: reject, timeout: 50ms, config: `+block(r.URL)+`}]`)
	res := s.Run(context.Background(), plugintest.Comment("anyone there?"))
	if res.Action != plugins.ActionReject || !errors.Is(res.Err, plugins.ErrTimeout) {
		t.Fatalf("slow receiver: %v, %v; want a timeout under on_error reject", res.Action, res.Err)
	}
	if st := s.Stats().Default.Plugins[0]; st.Timeouts != 1 {
		t.Errorf("timeouts %d, want 1", st.Timeouts)
	}
}

func TestBreakerStopsCallingABrokenReceiver(t *testing.T) {
	t.Setenv(webhook.DefaultSecretEnv, secret)
	r := newReceiver(t, func(w http.ResponseWriter, _ webhook.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	s := plugintest.Set(t, nil, nil, `plugins: [{name: webhook, on_error: allow, config: `+block(r.URL)+`}]`)
	for range 8 {
		if res := s.Run(context.Background(), plugintest.Comment("hi")); res.Action != plugins.ActionAllow {
			t.Fatalf("on_error allow: %v", res.Action)
		}
	}
	st := s.Stats().Default.Plugins[0]
	if n := r.requests.Load(); n != int64(plugins.DefaultBreaker.Failures) {
		t.Errorf("the receiver got %d requests, want %d before the breaker opened", n, plugins.DefaultBreaker.Failures)
	}
	if st.Breaker != "open" || st.Skipped != 3 || st.BreakerOpens != 1 {
		t.Errorf("stats: breaker %q, skipped %d, opens %d", st.Breaker, st.Skipped, st.BreakerOpens)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Setenv("DANMAKU_TEST_EMPTY", "")
	t.Setenv(webhook.DefaultSecretEnv, secret)
	plugintest.ConfigErrors(t, webhook.New, []plugintest.ConfigCase{
		{Name: "no url", Config: `{}`, Want: "url: is required"},
		{Name: "not http", Config: `{url: "ftp://example.test/x"}`, Want: "url: must be an http:// or https:// URL"},
		{Name: "no host", Config: `{url: "http:///x"}`, Want: "url: must be"},
		{Name: "secret unset", Config: `{url: "http://127.0.0.1:1/", secret_env: DANMAKU_TEST_EMPTY}`,
			Want: "secret_env: $DANMAKU_TEST_EMPTY is not set: the HMAC secret comes from the environment"},
		{Name: "no secret in the file", Config: `{url: "http://127.0.0.1:1/", secret: x}`, Want: "secret: unknown field"},
		{Name: "max_conns", Config: `{url: "http://127.0.0.1:1/", max_conns: 0}`, Want: "max_conns: must be at least 1"},
	})
}
