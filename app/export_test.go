package app_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/interop/bilixml"
	"github.com/danmaku/danmaku/app/interop/interoptest"
	"github.com/danmaku/danmaku/app/interop/jsonexport"
	"github.com/danmaku/danmaku/app/protocol"
)

// exportRoom downloads a room's export and checks the download's headers.
func exportRoom(t *testing.T, s *testServer, room, ext, contentType string) string {
	t.Helper()
	resp, body := fetch(t, httpClient(t), "GET", s.URL()+"/api/rooms/"+room+"/comments."+ext, nil, nil)
	h := resp.Header
	if resp.StatusCode != http.StatusOK || h.Get("Content-Type") != contentType ||
		h.Get("Content-Disposition") != `attachment; filename="`+room+`.`+ext+`"` || h.Get("Access-Control-Allow-Origin") != "*" ||
		h.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
		t.Fatalf("GET comments.%s: %d %v", ext, resp.StatusCode, h)
	}
	if !slices.Contains(resp.TransferEncoding, "chunked") {
		t.Errorf("GET comments.%s: transfer encoding %v, want it streamed (chunked)", ext, resp.TransferEncoding)
	}
	return body
}

func TestExportsHoldTheVisibleCommentsByTime(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [{name: nospoilers, config: {words: [snape], window: 10m}}]`))
	createRoom(t, s, "ex", "vod")
	b := postAs(t, s, ann, "ex", map[string]any{"text": `b & <c> "d"`, "time": 2, "color": "#ff0000", "size": "large"})
	a := postAs(t, s, viewer1, "ex", map[string]any{"text": "a", "time": 1.25, "mode": "top", "size": "small"})
	gone := postAs(t, s, ann, "ex", map[string]any{"text": "deleted later", "time": 0.5})
	if status := call(t, clientAs(t, s, ann), "POST", s.URL()+"/api/rooms/ex/comments", map[string]any{"text": "Snape!", "time": 3}, nil); status != http.StatusAccepted {
		t.Fatalf("the held comment: status %d", status)
	}
	if status, _ := decide(t, s, clientAs(t, s, mod1), "delete", gone.ID); status != http.StatusOK {
		t.Fatalf("delete: status %d", status)
	}

	t.Run("bilibili xml", func(t *testing.T) {
		d := func(c protocol.Comment, mode, size, color int, text string) string {
			return fmt.Sprintf(`<d p="%.5f,%d,%d,%d,%d,0,%s,%d">%s</d>`, c.Time.Float(), mode, size, color, int64(c.CreatedAt)/1000, bilixml.UserHash(c.User.ID), c.ID, text)
		}
		want := `<?xml version="1.0" encoding="UTF-8"?><i><chatserver>chat.bilibili.com</chatserver><chatid>ex</chatid><mission>0</mission><maxlimit>2</maxlimit><state>0</state><real_name>0</real_name><source>k-v</source>
` + d(a, 5, 18, 16777215, "a") + "\n" + d(b, 1, 36, 16711680, `b &amp; &lt;c&gt; "d"`) + "\n</i>\n"
		if got := exportRoom(t, s, "ex", "xml", "application/xml; charset=utf-8"); got != want {
			t.Fatalf("got\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("json", func(t *testing.T) {
		r := jsonexport.NewReader(strings.NewReader(exportRoom(t, s, "ex", "json", "application/json; charset=utf-8")))
		entries := interoptest.Drain(t, r)
		room := r.Room()
		if room.ID != "ex" || room.Title != "Room ex" || room.Kind != "vod" || room.VideoURL != "/assets/video/demo.mp4" {
			t.Fatalf("room %+v", room)
		}
		if len(entries) != 2 {
			t.Fatalf("%d comments, want the 2 visible ones", len(entries))
		}
		for i, c := range []protocol.Comment{a, b} {
			e := entries[i]
			if e.Input.Text != c.Text || *e.Input.Time != c.Time.Float() || e.Input.Mode != c.Mode || e.Input.Size != c.Size ||
				e.Input.Color != c.Color || e.User != c.User || e.CreatedAt != c.CreatedAt || e.SourceID != fmt.Sprint(c.ID) {
				t.Errorf("comment %d: %+v, want %+v", i, e, c)
			}
		}
	})
	t.Run("unknown room", func(t *testing.T) {
		var e apiError
		if status := call(t, httpClient(t), "GET", s.URL()+"/api/rooms/nope/comments.xml", nil, &e); status != http.StatusNotFound || e.Error.Code != "not_found" {
			t.Fatalf("status %d %+v, want 404 not_found", status, e)
		}
	})
}

// heapSampler is a writer that samples the live heap every few megabytes
// of what passes through it.
type heapSampler struct {
	w     io.Writer
	n     int64
	every int64
	peak  uint64
}

func (h *heapSampler) Write(p []byte) (int, error) {
	before := h.n / h.every
	h.n += int64(len(p))
	if h.n/h.every != before {
		h.peak = max(h.peak, interoptest.LiveHeap())
	}
	return h.w.Write(p)
}
