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
	resp, data := Fetch(t, hc, method, url, http.Header{"Content-Type": {"application/json"}}, r)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: response is not JSON: %q", method, url, data)
		}
	}
	return resp.StatusCode
}

// Fetch does a request with header and body (nil: none) and returns the
// response, whose body it has read and closed, and the body.
func Fetch(t testing.TB, hc *http.Client, method, url string, header http.Header, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return resp, data
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

// AskFirst returns hc sending "Expect: 100-continue" with every body, as
// curl does for large uploads: a refusal (413) then comes back before the
// body is sent, instead of racing a connection the server closes.
func AskFirst(hc *http.Client) *http.Client {
	next := hc.Transport
	if next == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ExpectContinueTimeout = WaitFor
		next = tr
	}
	c := *hc
	c.Transport = askFirst{next}
	return &c
}

type askFirst struct{ next http.RoundTripper }

func (a askFirst) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.ContentLength != 0 {
		r = r.Clone(r.Context())
		r.Header.Set("Expect", "100-continue")
	}
	return a.next.RoundTrip(r)
}
