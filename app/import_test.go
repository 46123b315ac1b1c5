package app_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/interop/bilixml"
	"github.com/danmaku/danmaku/app/interop/interoptest"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/transfer"
)

// biliXML is a Bilibili file whose entries start on line 4.
func biliXML(entries ...string) string {
	return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<i>\n<chatid>1</chatid>\n" + strings.Join(entries, "\n") + "\n</i>\n"
}

// dm is one <d> element.
func dm(p, text string) string { return `<d p="` + p + `">` + text + `</d>` }

// importAs uploads file (a raw body, or a form when header says so) to
// room's import with hc's cookies and returns the status, the report and
// the error. Like curl, it asks before sending the body (apptest.AskFirst).
func importAs(t *testing.T, s *testServer, hc *http.Client, room string, header http.Header, file []byte) (int, transfer.ImportReport, apiError) {
	t.Helper()
	asking := apptest.AskFirst(hc)
	h := http.Header{}
	for k, v := range header {
		h[k] = v
	}
	resp, body := fetch(t, asking, "POST", s.URL()+"/api/rooms/"+room+"/import", h, file)
	var rep transfer.ImportReport
	var e apiError
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &rep); err != nil {
			t.Fatalf("report %q: %v", body, err)
		}
	} else if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error %q: %v", body, err)
	}
	return resp.StatusCode, rep, e
}

// importOK imports file into room as a moderator and returns the report.
func importOK(t *testing.T, s *testServer, room string, file string) transfer.ImportReport {
	t.Helper()
	status, rep, e := importAs(t, s, clientAs(t, s, mod1), room, nil, []byte(file))
	if status != http.StatusOK {
		t.Fatalf("import into %s: status %d %+v", room, status, e.Error)
	}
	return rep
}

// roomState returns a room's comment count and last seq.
func roomState(t *testing.T, s *testServer, room string) (count, lastSeq int64) {
	t.Helper()
	var r struct {
		CommentCount int64 `json:"comment_count"`
		LastSeq      int64 `json:"last_seq"`
	}
	if status := call(t, httpClient(t), "GET", s.URL()+"/api/rooms/"+room, nil, &r); status != http.StatusOK {
		t.Fatalf("room %s: status %d", room, status)
	}
	return r.CommentCount, r.LastSeq
}

// idField matches the last field of a p attribute, the row id.
var idField = regexp.MustCompile(`,\d+">`)

func TestExportImportExportRoundTrips(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "src", "vod")
	for i, in := range []map[string]any{
		{"text": `quotes "q" & 'a' <tag>`, "time": 12.345, "color": "#12ab34"},
		{"text": "前方高能 🎉", "time": 0, "mode": "top", "size": "small"},
		{"text": "bottom, large", "time": 59.999, "mode": "bottom", "size": "large", "color": "#000000"},
		{"text": "same time, later", "time": 12.345},
		{"text": "&amp; is not &, 'single' \"double\" <>", "time": 3.5, "mode": "top", "color": "#e54256"},
	} {
		postAs(t, s, []auth.Identity{ann, viewer1}[i%2], "src", in)
	}

	t.Run("bilibili xml", func(t *testing.T) {
		createRoom(t, s, "xml-copy", "vod")
		first := exportRoom(t, s, "src", "xml", "application/xml; charset=utf-8")
		// danmaku2ass recognises Bilibili's files by exactly these bytes.
		if prolog := `<?xml version="1.0" encoding="UTF-8"?><i><chatserver>chat.bilibili.com</chatserver>`; !strings.HasPrefix(first, prolog) {
			t.Fatalf("the export starts\n%.100s\nwant\n%s", first, prolog)
		}
		rep := importOK(t, s, "xml-copy", first)
		if rep.Imported != 5 || rep.Skipped.Total != 0 || rep.Format != interop.FormatBilibiliXML || rep.Read != 5 || rep.Bytes != int64(len(first)) {
			t.Fatalf("report %+v", rep)
		}
		// The copy holds the same comments, every character of their text
		// included; the file keeps created_at to the second.
		same := func(room string) []string {
			var out []string
			for _, c := range afterSeq(t, s, room, 0) {
				out = append(out, fmt.Sprintf("%v %q %s %s %s %d %s", c.Time, c.Text, c.Mode, c.Size, c.Color, c.CreatedAt/1000, bilixml.UserHash(c.User.ID)))
			}
			slices.Sort(out)
			return out
		}
		if got, want := same("xml-copy"), same("src"); !slices.Equal(got, want) {
			t.Fatalf("the copy holds\n%q\nwant\n%q", got, want)
		}
		again := exportRoom(t, s, "xml-copy", "xml", "application/xml; charset=utf-8")
		norm := func(doc, room string) string {
			return idField.ReplaceAllString(strings.Replace(doc, "<chatid>"+room+"</chatid>", "<chatid></chatid>", 1), `,ID">`)
		}
		if norm(again, "xml-copy") != norm(first, "src") {
			t.Fatalf("the second export differs:\n%s\nfrom the first:\n%s", again, first)
		}
	})
	t.Run("json", func(t *testing.T) {
		createRoom(t, s, "json-copy", "vod")
		first := exportRoom(t, s, "src", "json", "application/json; charset=utf-8")
		if rep := importOK(t, s, "json-copy", first); rep.Imported != 5 || rep.Format != interop.FormatJSON {
			t.Fatalf("report %+v", rep)
		}
		comments := func(doc string) []protocol.Comment {
			t.Helper()
			var x struct{ Comments []protocol.Comment }
			if err := json.Unmarshal([]byte(doc), &x); err != nil {
				t.Fatal(err)
			}
			for i := range x.Comments {
				x.Comments[i].ID, x.Comments[i].Room, x.Comments[i].Seq = 0, "", 0
			}
			return x.Comments
		}
		want, got := comments(first), comments(exportRoom(t, s, "json-copy", "json", "application/json; charset=utf-8"))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("the second export differs:\n%+v\nfrom the first:\n%+v", got, want)
		}
	})
}

func TestMalformedFilesImportNothing(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "r", "vod")
	good := dm("1,1,25,16777215,1600000000,0,abc,1", "kept?")
	for _, tc := range []struct {
		name, file, msg string
	}{
		{"broken xml after good entries", biliXML(good, good, `<d p="2,1,25,0">x & y</d>`), "bilibili-xml, line 6: malformed XML"},
		{"xml cut short", strings.TrimSuffix(biliXML(good, good), "</i>\n"), "bilibili-xml, line 6: malformed XML: unexpected EOF"},
		{"not danmaku xml", "<?xml version=\"1.0\"?>\n<html><body/></html>", "bilibili-xml, line 2: the root element is <html>"},
		{"broken json after good comments", `{"format":"danmaku/v1","comments":[` + "\n" + `{"text":"a","time":1},` + "\n" + `{"text":"b","time":2` + "\n" + `{"text":"c"}]}`, "danmaku-json, line 4: malformed JSON"},
		{"another json", `{"format":"other/v9","comments":[]}`, `danmaku-json, line 1: format "other/v9" is not supported`},
		{"empty", " \n", "the file is empty"},
		{"neither", "PK\x03\x04", "the file is neither Bilibili XML nor a danmaku JSON export"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, e := importAs(t, s, clientAs(t, s, mod1), "r", nil, []byte(tc.file))
			if status != http.StatusBadRequest || e.Error.Code != "bad_request" || !strings.Contains(e.Error.Message, tc.msg) {
				t.Fatalf("status %d %+v, want 400 bad_request with %q", status, e.Error, tc.msg)
			}
			if count, last := roomState(t, s, "r"); count != 0 || last != 0 {
				t.Fatalf("the room has %d comments and last seq %d after a failed import, want nothing", count, last)
			}
		})
	}
	// These files fail before a chunk is stored: they take no seqs.
	if rep := importOK(t, s, "r", biliXML(good)); rep.FirstSeq != 1 || rep.LastSeq != 1 {
		t.Fatalf("after the failures: %+v, want seq 1", rep)
	}
}

func TestImportMapsBilibiliModes(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "modes", "vod")
	var entries []string
	for mode := range 11 {
		entries = append(entries, dm(fmt.Sprintf("%d,%d,25,16777215", mode+1, mode), fmt.Sprintf("mode %d", mode)))
	}
	rep := importOK(t, s, "modes", biliXML(entries...))
	if rep.Read != 11 || rep.Imported != 5 || rep.Skipped.Total != 6 ||
		rep.Skipped.ByReason[interop.ReasonUnsupportedMode] != 4 || rep.Skipped.ByReason[interop.ReasonBadMode] != 2 {
		t.Fatalf("report %+v", rep)
	}
	if ex := rep.Skipped.Examples; len(ex) != 6 || ex[0].Line != 4 || ex[0].Detail != "mode 0 is not a Bilibili mode" ||
		ex[1] != (transfer.SkipExample{Line: 10, Reason: interop.ReasonUnsupportedMode, Detail: "mode 6 (reverse) is not supported"}) {
		t.Fatalf("examples %+v", ex)
	}
	want := map[string]string{"mode 1": "scroll", "mode 2": "scroll", "mode 3": "scroll", "mode 4": "bottom", "mode 5": "top"}
	got := map[string]string{}
	for _, c := range replay(t, s, httpClient(t), "modes") {
		got[c.Text] = c.Mode
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("stored modes %v, want %v", got, want)
	}
}

func TestImportPassesContentFiltersButNotRateLimits(t *testing.T) {
	const chain = `plugins:
  - {name: sanitize}
  - {name: ratelimit, config: {per_user: 1/1h, per_ip: 1/1h}}
  - {name: flood}
  - {name: wordfilter, config: {words: [badword], action: reject}}`
	// Forty copies of one comment from one user: the live chain would stop
	// all but the first.
	var entries []string
	for i := range 40 {
		entries = append(entries, dm(fmt.Sprintf("%d,1,25,16777215,1600000000,0,cafe,%d", i, i), "233333"))
	}
	entries = append(entries,
		dm("41,1,25,16777215,1600000000,0,cafe,41", "a badword here"),
		dm("42,1,25,16777215,1600000000,0,cafe,42", "zero\u200bwidth"),
		dm("43,1,25,16777215,1600000000,0,cafe,43", strings.Repeat("long", 30)))
	file := biliXML(entries...)

	t.Run("the default import plugins", func(t *testing.T) {
		s := startServer(t, withPlugins(t, chain))
		createRoom(t, s, "imp", "vod")
		rep := importOK(t, s, "imp", file)
		if rep.Imported != 41 || rep.Skipped.ByReason["rejected"] != 1 || rep.Skipped.ByReason[interop.ReasonBadText] != 1 {
			t.Fatalf("report %+v, want 41 imported, the blocked word rejected and the long one over the server's limit", rep)
		}
		if ex := rep.Skipped.Examples; ex[0].Line != 44 || ex[0].Detail != "rejected by wordfilter: this comment contains a blocked word" {
			t.Fatalf("examples %+v", ex)
		}
		list := replay(t, s, httpClient(t), "imp")
		if !hasText(list, "zerowidth") || hasText(list, "zero\u200bwidth") {
			t.Error("sanitize did not clean the imported text")
		}
		// Live, the same chain still limits and filters.
		sender, _ := pair(t, s, "imp")
		for i, want := range []string{"", "rejected"} {
			sender.send(map[string]any{"type": "comment", "ref": fmt.Sprint(i), "text": fmt.Sprint("live ", i)})
			if ack := sender.ack(); ack.OK != (want == "") || ack.Error != nil && string(ack.Error.Code) != want {
				t.Fatalf("live comment %d: %+v %+v, want the rate limit to stop the second", i, ack, ack.Error)
			}
		}
	})
	t.Run("none", func(t *testing.T) {
		s := startServer(t, withPlugins(t, chain), func(c *app.Config) { c.ImportPlugins = []string{"none"} })
		createRoom(t, s, "imp", "vod")
		if rep := importOK(t, s, "imp", file); rep.Imported != 43-1 || rep.Skipped.ByReason[interop.ReasonBadText] != 1 {
			t.Fatalf("report %+v, want everything within the server's limits", rep)
		}
	})
	t.Run("an unknown name stops start-up", func(t *testing.T) {
		cfg := testConfig(t, t.TempDir())
		cfg.ImportPlugins = []string{"wordfilter", "wordfiltr"}
		if _, err := app.New(t.Context(), cfg); err == nil || !strings.HasPrefix(err.Error(), `import-plugins: unknown plugin "wordfiltr"`) {
			t.Fatalf("app.New: %v", err)
		}
	})
}

func TestImportIsForModerators(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.MaxImportBytes = 256 << 10 })
	createRoom(t, s, "r", "vod")
	small := []byte(biliXML(dm("1,1,25,16777215", "hi")))
	// A file over -max-body (64 KiB) and one over -max-import.
	pad := func(n int) []byte {
		return []byte(biliXML(dm("1,1,25,16777215", "hi"), "<!--"+strings.Repeat("x", n)+"-->"))
	}
	medium, huge := pad(100<<10), pad(300<<10)
	form, formBody := multipartFile(t, "file", "danmaku.xml", medium)
	noFile, noFileBody := multipartFile(t, "upload", "danmaku.xml", small)

	for _, tc := range []struct {
		name   string
		hc     *http.Client
		header http.Header
		room   string
		body   []byte
		status int
		code   string
	}{
		{"a guest", httpClient(t), nil, "r", small, http.StatusUnauthorized, "unauthorized"},
		{"a viewer", clientAs(t, s, viewer1), nil, "r", small, http.StatusForbidden, "forbidden"},
		{"a moderator on another site's page", clientAs(t, s, mod1), http.Header{"Origin": {"http://evil.example"}}, "r", small, http.StatusForbidden, "forbidden"},
		{"a viewer with a large body", clientAs(t, s, viewer1), nil, "r", medium, http.StatusRequestEntityTooLarge, "too_large"},
		{"an unknown room", clientAs(t, s, mod1), nil, "nope", small, http.StatusNotFound, "not_found"},
		{"over -max-import", clientAs(t, s, mod1), nil, "r", huge, http.StatusRequestEntityTooLarge, "too_large"},
		{"a form without the file field", clientAs(t, s, mod1), noFile, "r", noFileBody, http.StatusBadRequest, "bad_request"},
		{"a moderator, over -max-body", clientAs(t, s, mod1), nil, "r", medium, http.StatusOK, ""},
		{"a moderator's Bearer token, over -max-body", httpClient(t), http.Header{"Authorization": {"Bearer " + token(t, s, mod1, time.Hour)}}, "r", medium, http.StatusOK, ""},
		{"a moderator, as a form", clientAs(t, s, mod1), form, "r", formBody, http.StatusOK, ""},
		{"a moderator on this site's page", clientAs(t, s, mod1), http.Header{"Origin": {s.URL()}}, "r", small, http.StatusOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, rep, e := importAs(t, s, tc.hc, tc.room, tc.header, tc.body)
			if status != tc.status || string(e.Error.Code) != tc.code {
				t.Fatalf("status %d %+v, want %d %s", status, e.Error, tc.status, tc.code)
			}
			if status == http.StatusOK && (rep.Imported != 1 || rep.Room != "r") {
				t.Fatalf("report %+v", rep)
			}
		})
	}
	if count, _ := roomState(t, s, "r"); count != 4 {
		t.Fatalf("the room has %d comments, want one per accepted import", count)
	}
}

func TestGzippedImports(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.MaxImportBytes = 256 << 10 })
	createRoom(t, s, "r", "vod")
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	file := []byte(biliXML(dm("1,1,25,16777215", "zipped")))
	// 64 MB of white space inside the root: tiny gzipped, far over -max-import inflated.
	bomb := gz([]byte(biliXML(dm("1,1,25,16777215", "first"), strings.Repeat(" ", 64<<20))))
	form, formBody := multipartFile(t, "file", "f.xml.gz", gz(file))
	form.Set("Content-Encoding", "gzip")
	for _, tc := range []struct {
		name   string
		header http.Header
		body   []byte
		status int
		msg    string
	}{
		{"a gzipped body", http.Header{"Content-Encoding": {"gzip"}}, gz(file), http.StatusOK, ""},
		{"a body that inflates past -max-import", http.Header{"Content-Encoding": {"gzip"}}, bomb, http.StatusRequestEntityTooLarge, "the file is larger than -max-import once inflated; nothing was imported"},
		{"not gzip after all", http.Header{"Content-Encoding": {"gzip"}}, file, http.StatusBadRequest, "the body is not gzip"},
		{"another encoding", http.Header{"Content-Encoding": {"br"}}, file, http.StatusBadRequest, `Content-Encoding "br" is not supported`},
		{"a gzipped form", form, formBody, http.StatusBadRequest, `Content-Encoding "gzip" is not supported`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, rep, e := importAs(t, s, clientAs(t, s, mod1), "r", tc.header, tc.body)
			if status != tc.status || !strings.HasPrefix(e.Error.Message, tc.msg) || status == http.StatusOK && rep.Imported != 1 {
				t.Fatalf("status %d %+v %+v, want %d %q", status, e.Error, rep, tc.status, tc.msg)
			}
		})
	}
	if count, _ := roomState(t, s, "r"); count != 1 {
		t.Fatalf("%d comments, want the one of the good import", count)
	}
}

func TestImportedCommentsTakeSeqsButAreNotPushed(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "r", "vod")
	sender, viewer := pair(t, s, "r")
	before := sender.comment("1", "live before")
	rep := importOK(t, s, "r", biliXML(
		dm("5,1,25,16777215,1600000000,0,abc", "old one"),
		dm("1,1,25,16777215", "no time, no user")))
	if rep.FirstSeq != before.Comment.Seq+1 || rep.LastSeq != before.Comment.Seq+2 {
		t.Fatalf("report %+v, want the seqs after %d", rep, before.Comment.Seq)
	}
	sender.send(map[string]any{"type": "comment", "ref": "2", "text": "live after"})
	after := sender.ack()
	// In commit order: the live comment before, then the one after; the import in between is not pushed.
	if got := viewer.comments(2); got[0].ID != before.Comment.ID || got[1].ID != after.Comment.ID || after.Comment.Seq != rep.LastSeq+1 {
		t.Fatalf("the viewer got %+v, want only the live comments, the second with seq %d", got, rep.LastSeq+1)
	}
	imported := afterSeq(t, s, "r", before.Comment.Seq)[:2]
	if imported[0].Text != "old one" || imported[0].User.ID != "bili:abc" || imported[0].CreatedAt != 1600000000_000 || imported[0].Time != 5000 {
		t.Errorf("first imported comment %+v", imported[0])
	}
	if imported[1].User.ID != "imported" || imported[1].CreatedAt.Time().Year() < 2026 {
		t.Errorf("second imported comment %+v: want the unknown author and the import's time", imported[1])
	}
}

// bigXML writes a Bilibili file of n entries, 100 characters each (300
// bytes), and then tail, if any.
func bigXML(n int, tail string) func(io.Writer) error {
	text := strings.Repeat("弹幕", 50)
	return func(w io.Writer) error {
		if _, err := io.WriteString(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<i>\n<chatid>1</chatid>\n"); err != nil {
			return err
		}
		for i := range n {
			if _, err := fmt.Fprintf(w, "<d p=\"%d.%03d,1,25,16777215,1600000000,0,%x,%d\">%s</d>\n", i/1000, i%1000, i%5000, i, text); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, tail+"</i>\n")
		return err
	}
}

// TestImportAndExportOf200000CommentsInBoundedMemory uploads a file of
// 200,000 entries (70 MB) to the import over HTTP, as a chunked body, and
// downloads the room back out, sampling the live heap of the whole process
// (the server's included) as the bytes go by. A server that held the
// upload, the entries or the export would keep tens of megabytes alive.
func TestImportAndExportOf200000CommentsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a 70 MB file")
	}
	const n = 200_000
	// Entries of the longest text: 70 MB, over the default -max-import
	// (64 MiB holds about 600,000 entries of a typical Bilibili file).
	s := startServer(t, func(c *app.Config) { c.MaxImportBytes = 128 << 20 })
	createRoom(t, s, "big", "vod")

	pr, pw := io.Pipe()
	in := &heapSampler{w: pw, every: 4 << 20}
	baseline := interoptest.LiveHeap()
	go func() { pw.CloseWithError(bigXML(n, "")(in)) }()
	req, err := http.NewRequest("POST", s.URL()+"/api/rooms/big/import", pr)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Jar: jarAs(t, s, mod1)}).Do(req) // no timeout: 70 MB take a while under -race
	if err != nil {
		t.Fatal(err)
	}
	var rep transfer.ImportReport
	err = json.NewDecoder(resp.Body).Decode(&rep)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("import: status %d, %v", resp.StatusCode, err)
	}
	if rep.Imported != n || rep.LastSeq != n || rep.Skipped.Total != 0 || rep.Bytes != in.n {
		t.Fatalf("report %+v", rep)
	}
	if count, last := roomState(t, s, "big"); count != n || last != n {
		t.Fatalf("the room has %d comments, last seq %d, want %d", count, last, n)
	}
	checkBound(t, "import over HTTP", in, baseline)

	resp, err = (&http.Client{}).Get(s.URL() + "/api/rooms/big/comments.xml") // no timeout either: 200,000 entries out under -race
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := &lineCounter{}
	out := &heapSampler{w: lines, every: 4 << 20}
	baseline = interoptest.LiveHeap()
	if _, err := io.Copy(out, resp.Body); err != nil {
		t.Fatal(err)
	}
	if want := 1 + n + 1; lines.n != want { // the header line, one per comment, </i>
		t.Fatalf("the export has %d lines, want %d", lines.n, want)
	}
	checkBound(t, "export", out, baseline)
}

// TestLiveCommentsAndReadinessGoOnDuringAnImport holds an import of
// several chunks at its progress report once two chunks are stored (the
// import is running and has written), and meanwhile a live comment is
// acknowledged and /readyz answers 200: the import does not hold the
// writer between its chunks. The import then ends with every entry, the
// live comment's seq between its chunks.
func TestLiveCommentsAndReadinessGoOnDuringAnImport(t *testing.T) {
	const n = 5 * store.ImportChunk
	s := startServer(t)
	createRoom(t, s, "r", "vod")
	sender, _ := pair(t, s, "r")
	var live frame
	checked := false
	progress := func(p transfer.ImportProgress) {
		if checked || p.Read < 2*store.ImportChunk+1 {
			return
		}
		checked = true // Read is one past two chunks: both are stored
		live = sender.comment("1", "live, mid-import")
		if status, h := readyz(t, s); status != http.StatusOK {
			t.Errorf("readyz during the import: %d %+v", status, h)
		}
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(bigXML(n, "")(pw)) }()
	rep, err := s.Import(t.Context(), pr, transfer.ImportOptions{Room: "r", By: "test", Progress: progress})
	if err != nil || rep.Imported != n || rep.LastSeq != n+1 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	if !checked || live.Comment == nil || live.Comment.Seq <= 2*store.ImportChunk || live.Comment.Seq > rep.LastSeq-store.ImportChunk {
		t.Fatalf("the live comment %+v: want it acknowledged between the import's chunks", live.Comment)
	}
}

// TestAnImportThatBreaksAfterChunksLeavesNothingVisible uploads a file
// whose end is broken after several chunks were stored: the answer is the
// malformed file's error, the room shows none of it (count, replay,
// catch-up), the seqs it took stay taken, and the room takes the next
// import and live comments as usual.
func TestAnImportThatBreaksAfterChunksLeavesNothingVisible(t *testing.T) {
	const n = 3 * store.ImportChunk
	s := startServer(t)
	createRoom(t, s, "r", "vod")
	var file bytes.Buffer
	if err := bigXML(n, "<d p=\"1,1,25,0\">x & y</d>\n")(&file); err != nil {
		t.Fatal(err)
	}
	status, _, e := importAs(t, s, clientAs(t, s, mod1), "r", nil, file.Bytes())
	want := fmt.Sprintf("bilibili-xml, line %d: malformed XML", n+4)
	if status != http.StatusBadRequest || !strings.Contains(e.Error.Message, want) || !strings.HasSuffix(e.Error.Message, "nothing was imported") {
		t.Fatalf("status %d %+v, want 400 with %q", status, e.Error, want)
	}
	count, last := roomState(t, s, "r")
	if count != 0 || last != n {
		t.Fatalf("the room has %d comments, last seq %d: want none, and the %d seqs the chunks took", count, last, n)
	}
	if got := afterSeq(t, s, "r", 0); len(got) != 0 {
		t.Fatalf("catch-up returns %d comments of the failed import", len(got))
	}
	var page struct{ Comments []protocol.Comment }
	call(t, httpClient(t), "GET", s.URL()+"/api/rooms/r/comments?from=0&to=100000", nil, &page)
	if len(page.Comments) != 0 {
		t.Fatalf("replay returns %d comments of the failed import", len(page.Comments))
	}
	if rep := importOK(t, s, "r", biliXML(dm("1,1,25,16777215", "next"))); rep.FirstSeq != n+1 || rep.Imported != 1 {
		t.Fatalf("the next import: %+v", rep)
	}
}

// checkBound fails the test when the heap sampled by h grew by more than
// interoptest.HeapBound over baseline, or when too little went through h
// for the bound to mean anything.
func checkBound(t *testing.T, what string, h *heapSampler, baseline uint64) {
	t.Helper()
	if h.n < 4*interoptest.HeapBound {
		t.Fatalf("%s: only %d bytes: too few to show anything", what, h.n)
	}
	grew := int64(h.peak) - int64(baseline)
	if grew > interoptest.HeapBound {
		t.Fatalf("%s: the live heap grew by %d bytes over %d MB, want under %d", what, grew, h.n>>20, interoptest.HeapBound)
	}
	t.Logf("%s: %d MB, the live heap grew by %d KB at most (%d → %d)", what, h.n>>20, max(grew, 0)>>10, baseline, h.peak)
}

// lineCounter counts the lines written to it.
type lineCounter struct{ n int }

func (l *lineCounter) Write(p []byte) (int, error) {
	l.n += strings.Count(string(p), "\n")
	return len(p), nil
}
