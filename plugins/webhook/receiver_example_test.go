package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/webhook"
)

// moderate is the receiver docs/plugins.md shows, verbatim.
func moderate(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	mac := hmac.New(sha256.New, []byte(os.Getenv("DANMAKU_WEBHOOK_SECRET")))
	mac.Write([]byte(r.Header.Get("X-Danmaku-Timestamp") + "." + string(body)))
	if !hmac.Equal([]byte(r.Header.Get("X-Danmaku-Signature")), []byte("sha256="+hex.EncodeToString(mac.Sum(nil)))) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var req struct{ Comment struct{ Text string } }
	if json.Unmarshal(body, &req) == nil && strings.ToUpper(req.Comment.Text) == req.Comment.Text {
		json.NewEncoder(w).Encode(map[string]string{"action": "reject", "reason": "please don't shout"})
		return
	}
	w.WriteHeader(http.StatusNoContent) // allow
}

func TestTheDocumentedReceiver(t *testing.T) {
	t.Setenv(webhook.DefaultSecretEnv, secret)
	srv := httptest.NewServer(http.HandlerFunc(moderate))
	t.Cleanup(srv.Close)
	p := plugintest.New(t, webhook.New, block(srv.URL), nil)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "shouting", Text: "STOP THE VIDEO", Want: plugins.ActionReject, WantReason: "please don't shout"},
		{Name: "quiet", Text: "stop the video"},
	})
	t.Run("a forged request is refused", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"comment":{"text":"hi"}}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(webhook.HeaderTimestamp, "1700000000")
		req.Header.Set(webhook.HeaderSignature, webhook.Sign([]byte("not the secret"), 1700000000, []byte(`{"comment":{"text":"hi"}}`)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("forged request: %s, want 401", resp.Status)
		}
	})
	t.Run("the docs quote it", func(t *testing.T) {
		doc, err := os.ReadFile("../../docs/plugins.md")
		if err != nil {
			t.Fatal(err)
		}
		src, err := os.ReadFile("receiver_example_test.go")
		if err != nil {
			t.Fatal(err)
		}
		_, fn, _ := strings.Cut(string(src), "// moderate is the receiver docs/plugins.md shows, verbatim.\n")
		fn, _, _ = strings.Cut(fn, "\n}\n")
		if !strings.Contains(string(doc), fn+"\n}") {
			t.Error("docs/plugins.md no longer quotes the receiver: update the docs")
		}
	})
}
