package apptest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
)

// HTTPClient is a client with its own cookie jar: one browser, one user.
func HTTPClient(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: WaitFor}
}

// Call does a JSON request (a string body goes as is) and decodes the
// response into out when out is not nil. It returns the status.
func Call(t testing.TB, hc *http.Client, method, url string, body any, out any) int {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: response is not JSON: %q", method, url, data)
		}
	}
	return resp.StatusCode
}

// CreateRoom creates a room of kind showing the demo video, over REST, as
// a moderator (creating rooms needs the role).
func CreateRoom(t testing.TB, base, id, kind string) {
	t.Helper()
	status := Call(t, ModeratorClient(t), "POST", base+"/api/rooms",
		map[string]string{"id": id, "title": "Room " + id, "kind": kind, "video_url": "/assets/video/demo.mp4"}, nil)
	if status != http.StatusCreated {
		t.Fatalf("create room %s: status %d", id, status)
	}
}

// Token mints a token for id, signed with the test servers' Secret.
func Token(t testing.TB, id auth.Identity, ttl time.Duration) string {
	t.Helper()
	tok, err := auth.NewSigner([]byte(Secret)).Issue(id, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// BearerClient is an HTTP client that sends Authorization: Bearer tok on
// every request, as bots and the CLI do; it keeps no cookies.
func BearerClient(tok string) *http.Client {
	return &http.Client{Timeout: WaitFor, Transport: bearerTransport(tok)}
}

type bearerTransport string

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

// ModeratorClient acts as a signed-in moderator of any test server.
func ModeratorClient(t testing.TB) *http.Client {
	t.Helper()
	return BearerClient(Token(t, auth.Identity{ID: "mod-1", Name: "Mod", Roles: []string{auth.RoleModerator}}, time.Hour))
}
