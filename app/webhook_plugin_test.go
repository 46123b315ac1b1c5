package app_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/plugins/webhook"
)

// TestWebhookModeratesOverASocket runs a server whose chain asks a real
// receiver on loopback, which checks the signature and rejects shouting.
func TestWebhookModeratesOverASocket(t *testing.T) {
	const secret = "app-test-secret"
	t.Setenv(webhook.DefaultSecretEnv, secret)
	seen := make(chan webhook.Request, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := webhook.ReadRequest([]byte(secret), r)
		if errors.Is(err, webhook.ErrBadSignature) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		seen <- req
		if strings.ToUpper(req.Comment.Text) == req.Comment.Text {
			_ = json.NewEncoder(w).Encode(webhook.Response{Action: "reject", Reason: "please don't shout"})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)
	s := startServer(t, withPlugins(t, `plugins: [{name: webhook, timeout: 5s, on_error: reject, config: {url: "`+receiver.URL+`"}}]`))
	sender, viewer := pair(t, s, "demo")

	ack := sender.comment("1", "STOP THE VIDEO")
	if ack.OK || ack.Error == nil || ack.Error.Code != "rejected" || ack.Error.Message != "please don't shout" {
		t.Fatalf("shouting: %+v %+v, want rejected with the receiver's reason", ack, ack.Error)
	}
	if req := <-seen; req.Comment.Room != "demo" || req.Comment.Metadata["via"] != "ws" || req.Comment.IP != "127.0.0.1" {
		t.Errorf("the receiver got %+v", req.Comment)
	}
	ack = sender.comment("2", "stop the video")
	if !ack.OK {
		t.Fatalf("quiet: %+v", ack.Error)
	}
	if got := viewer.comments(1)[0]; got.ID != ack.Comment.ID {
		t.Fatalf("viewer got %+v", got)
	}
}
