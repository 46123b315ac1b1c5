package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
)

// ann has a name that needs escaping in HTML.
var ann = auth.Identity{ID: "ann", Name: `Ann "<3"`, Roles: []string{auth.RoleViewer}}

func TestDPlayerListsCommentsInItsShape(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "dp", "vod")
	postAs(t, s, ann, "dp", map[string]any{"text": `<img src=x onerror=alert(1)> & 'q'`, "time": 2.5, "color": "#ff0000"})
	postAs(t, s, ann, "dp", map[string]any{"text": "top", "time": 1, "mode": "top", "color": "#000000"})
	postAs(t, s, ann, "dp", map[string]any{"text": "bottom", "time": 1, "mode": "bottom", "color": "#00ff00", "size": "large"})
	const name = `Ann \u0026#34;\u0026lt;3\u0026#34;`

	for _, tc := range []struct {
		name, query, want string
	}{
		{"all, by time, escaped", "?id=dp",
			`{"code":0,"data":[[1,1,0,"` + name + `","top"],[1,2,65280,"` + name + `","bottom"],` +
				`[2.5,0,16711680,"` + name + `","\u0026lt;img src=x onerror=alert(1)\u0026gt; \u0026amp; \u0026#39;q\u0026#39;"]]}`},
		{"max keeps the newest", "?id=dp&max=2",
			`{"code":0,"data":[[1,1,0,"` + name + `","top"],[1,2,65280,"` + name + `","bottom"]]}`},
		{"max 0 means all", "?id=demo&max=0", ""}, // checked below: the 12 seeded comments
		{"unknown room", "?id=nope", `{"code":1,"msg":"room \u0026#34;nope\u0026#34; does not exist"}`},
		{"no id", "", `{"code":1,"msg":"id is missing"}`},
		{"bad id", "?id=..%2Fetc", `{"code":1,"msg":"id must match ^[A-Za-z0-9_-]{1,64}$"}`},
		{"bad max", "?id=dp&max=lots", `{"code":1,"msg":"max must be a whole number from 0"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// DPlayer calls api + "v3/?id=…" from pages on other origins.
			resp, body := fetch(t, httpClient(t), "GET", s.URL()+"/dplayer/v3/"+tc.query, http.Header{"Origin": {"http://player.example"}}, nil)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
				t.Fatalf("status %d, headers %v; want 200, readable from any origin", resp.StatusCode, resp.Header)
			}
			if tc.want == "" {
				var r struct{ Data [][5]any }
				if err := json.Unmarshal([]byte(body), &r); err != nil || len(r.Data) != 12 {
					t.Fatalf("demo: %d items (%v), want the 12 seeded", len(r.Data), err)
				}
				return
			}
			if body != tc.want {
				t.Fatalf("body\n%s\nwant\n%s", body, tc.want)
			}
		})
	}
}

// dpAnswer is the envelope of a DPlayer POST answer.
type dpAnswer struct {
	Code int              `json:"code"`
	Msg  string           `json:"msg"`
	Data protocol.Comment `json:"data"`
}

// dpPost posts body to DPlayer's API with hc, from a page of origin ("":
// no Origin header, as curl sends), and returns the status and answer.
func dpPost(t *testing.T, s *testServer, hc *http.Client, origin, body string) (int, dpAnswer) {
	t.Helper()
	h := http.Header{"Content-Type": {"application/json"}}
	if origin != "" {
		h.Set("Origin", origin)
	}
	resp, raw := fetch(t, hc, "POST", s.URL()+"/dplayer/v3/", h, []byte(body))
	var a dpAnswer
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		t.Fatalf("answer %q is not JSON: %v", raw, err)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("Access-Control-Allow-Origin %q, want *", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	return resp.StatusCode, a
}

func TestDPlayerPostIsACommentLikeAnyOther(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins:
  - {name: wordfilter, config: {words: [badword], action: reject}}
  - {name: nospoilers, config: {words: [snape], window: 10m}}`))
	createRoom(t, s, "dp", "vod")
	viewer := dial(t, s, "?room=dp")
	viewer.next(protocol.TypeWelcome)

	// What DPlayer 1.27 sends (its author is the page's claim, not an identity).
	status, a := dpPost(t, s, httpClient(t), "http://player.example",
		`{"id":"dp","author":"DIYgod","time":3.25,"text":"hello <i>","color":16776960,"type":2}`)
	c := a.Data
	if status != http.StatusOK || a.Code != 0 || c.ID == 0 || c.Text != "hello <i>" || c.Mode != "bottom" || c.Color != "#ffff00" ||
		c.Time != 3250 || c.Room != "dp" || !strings.HasPrefix(c.User.ID, "g-") || c.User.Name == "DIYgod" {
		t.Fatalf("status %d, answer %+v; want 200, code 0 and the stored comment by a guest", status, a)
	}
	if got := viewer.comments(1)[0]; got.ID != c.ID || got.Text != c.Text {
		t.Fatalf("the room's viewer got %+v, want the posted comment", got)
	}

	for _, tc := range []struct {
		name, body, msg string
	}{
		{"too long", `{"id":"dp","text":"` + strings.Repeat("x", 101) + `"}`, "text must be 1 to 100 characters"},
		{"a plugin rejects it", `{"id":"dp","text":"a badword"}`, "this comment contains a blocked word"},
		{"a plugin holds it", `{"id":"dp","text":"Snape did it","time":5}`, "possible spoiler: held for a moderator during the first 10m0s of the video"},
		{"unknown room", `{"id":"nope","text":"hi"}`, `room &#34;nope&#34; does not exist`},
		{"bad room id", `{"id":"../x","text":"hi"}`, "room id must match ^[A-Za-z0-9_-]{1,64}$"},
		{"unknown type, escaped for innerHTML", `{"id":"dp","text":"hi","type":"<b>"}`, `type must be 0 (scroll), 1 (top) or 2 (bottom), got &#34;&lt;b&gt;&#34;`},
		{"not JSON", `id=dp&text=hi`, "the body must be a JSON object"},
		{"no id", `{"text":"hi"}`, "id is missing"},
		{"a bad token", `{"id":"dp","text":"hi","token":"forged"}`, "invalid token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// DPlayer shows msg only on a 2xx.
			status, a := dpPost(t, s, httpClient(t), "http://player.example", tc.body)
			if status != http.StatusOK || a.Code != 1 || a.Msg != tc.msg {
				t.Fatalf("status %d, answer %+v; want 200, code 1, msg %q", status, a, tc.msg)
			}
		})
	}
	// Nothing refused reached the viewer: the marker is the next comment it sees.
	_, marker := dpPost(t, s, httpClient(t), "", `{"id":"dp","text":"marker"}`)
	if got := viewer.comments(1)[0]; got.ID != marker.Data.ID {
		t.Fatalf("the viewer got %q before the marker", got.Text)
	}
}

func TestDPlayerPostIdentity(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.AllowedOrigins = []string{"http://trusted.example"} })
	createRoom(t, s, "dp", "vod")
	annToken := token(t, s, ann, time.Hour)
	for _, tc := range []struct {
		name    string
		cookie  bool   // the client holds viewer1's session
		origin  string // "self": the server's own
		token   string
		want    string // user id; "guest": a new guest
		wantMsg string
	}{
		{"a token in the body, from any page", false, "http://player.example", annToken, ann.ID, ""},
		{"the token wins over the cookie", true, "http://player.example", annToken, ann.ID, ""},
		{"the cookie, without an Origin (not a browser page)", true, "", "", viewer1.ID, ""},
		{"the cookie, from this site's pages", true, "self", "", viewer1.ID, ""},
		{"the cookie, from an allowed origin", true, "http://trusted.example", "", viewer1.ID, ""},
		{"not the cookie, from another site's page", true, "http://evil.example", "", "guest", ""},
		{"no session: a guest", false, "http://player.example", "", "guest", ""},
		{"an expired token", true, "", token(t, s, ann, -time.Hour), "", "token expired: get a fresh one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := httpClient(t)
			if tc.cookie {
				hc = clientAs(t, s, viewer1)
			}
			origin := tc.origin
			if origin == "self" {
				origin = s.URL()
			}
			body, _ := json.Marshal(map[string]any{"id": "dp", "text": tc.name, "author": "someone else", "token": tc.token})
			_, a := dpPost(t, s, hc, origin, string(body))
			switch {
			case tc.wantMsg != "":
				if a.Code != 1 || a.Msg != tc.wantMsg {
					t.Fatalf("answer %+v, want msg %q", a, tc.wantMsg)
				}
			case tc.want == "guest":
				if a.Code != 0 || !strings.HasPrefix(a.Data.User.ID, "g-") {
					t.Fatalf("posted as %+v (%+v), want a new guest", a.Data.User, a)
				}
			case a.Code != 0 || a.Data.User.ID != tc.want:
				t.Fatalf("posted as %+v (%+v), want %s", a.Data.User, a, tc.want)
			}
		})
	}
}

func TestDPlayerPreflight(t *testing.T) {
	s := startServer(t)
	resp, _ := fetch(t, httpClient(t), "OPTIONS", s.URL()+"/dplayer/v3/", http.Header{
		"Origin": {"http://player.example"}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"content-type"},
	}, nil)
	h := resp.Header
	if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" ||
		h.Get("Access-Control-Allow-Methods") != "GET, POST" || h.Get("Access-Control-Allow-Headers") != "Content-Type" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, h)
	}
	if h.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatal("DPlayer's API must not invite credentialed requests")
	}
}

func TestDPlayerFollowsTheGuestsSetting(t *testing.T) {
	for _, tc := range []struct {
		guests, getMsg, postMsg string
	}{
		{app.GuestsWatch, "", "sign in to comment and like"},
		{app.GuestsOff, "sign in first: guests are not allowed here", "sign in to comment and like"},
	} {
		t.Run(tc.guests, func(t *testing.T) {
			s := startServer(t, func(c *app.Config) { c.Guests = tc.guests })
			var list struct {
				Code int
				Msg  string
				Data json.RawMessage
			}
			_, raw := fetch(t, httpClient(t), "GET", s.URL()+"/dplayer/v3/?id=demo", nil, nil)
			if err := json.Unmarshal([]byte(raw), &list); err != nil || list.Msg != tc.getMsg || (list.Code == 0) != (tc.getMsg == "") {
				t.Fatalf("GET as nobody: %s, want msg %q", raw, tc.getMsg)
			}
			if _, a := dpPost(t, s, httpClient(t), "http://player.example", `{"id":"demo","text":"as nobody"}`); a.Code != 1 || a.Msg != tc.postMsg {
				t.Fatalf("POST as nobody: %+v, want msg %q", a, tc.postMsg)
			}
			body, _ := json.Marshal(map[string]any{"id": "demo", "text": "with a token", "token": token(t, s, ann, time.Hour)})
			if _, a := dpPost(t, s, httpClient(t), "http://player.example", string(body)); a.Code != 0 || a.Data.User.ID != ann.ID {
				t.Fatalf("POST with a token in the body: %+v", a)
			}
			if _, a := dpPost(t, s, bearerClient(t, token(t, s, viewer1, time.Hour)), "http://player.example", `{"id":"demo","text":"with a header"}`); a.Code != 0 || a.Data.User.ID != viewer1.ID {
				t.Fatalf("POST with an Authorization header: %+v", a)
			}
		})
	}
}
