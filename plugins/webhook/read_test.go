package webhook_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/plugins/webhook"
)

func TestReadRequest(t *testing.T) {
	secret := []byte("receiver-secret")
	signed := func(key []byte, body string) *http.Request {
		r := httptest.NewRequest("POST", "/moderate", strings.NewReader(body))
		r.Header.Set(webhook.HeaderTimestamp, strconv.Itoa(1700000000))
		r.Header.Set(webhook.HeaderSignature, webhook.Sign(key, 1700000000, []byte(body)))
		return r
	}
	for _, tc := range []struct {
		name    string
		req     *http.Request
		text    string // the decoded comment's text, when it decodes
		badSig  bool
		wantErr bool
	}{
		{name: "signed", req: signed(secret, `{"comment":{"text":"hello"}}`), text: "hello"},
		{name: "another secret", req: signed([]byte("other"), `{"comment":{"text":"hello"}}`), badSig: true, wantErr: true},
		{name: "signed but not JSON", req: signed(secret, `{"comment":`), wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := webhook.ReadRequest(secret, tc.req)
			if (err != nil) != tc.wantErr || errors.Is(err, webhook.ErrBadSignature) != tc.badSig {
				t.Fatalf("err = %v, want error %v (bad signature %v)", err, tc.wantErr, tc.badSig)
			}
			if err == nil && req.Comment.Text != tc.text {
				t.Errorf("text %q, want %q", req.Comment.Text, tc.text)
			}
		})
	}
}
