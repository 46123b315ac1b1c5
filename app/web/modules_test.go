package web

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
)

// moduleResult is what window.runTests() resolves with on a check page.
type moduleResult struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`
	Note  string `json:"note"`
}

// TestBrowserModules runs the in-browser checks of the overlay modules
// (stage, player, composer, settings panel) on the pages in
// testdata/browser. They drive the modules directly with local stand-ins
// for the REST API and the socket, so they need only the files: a static
// file server gives them /assets/ from the repository and /test/ from
// testdata. The pages and the real server are tested in scenarios_test.go.
func TestBrowserModules(t *testing.T) {
	needBrowser(t)
	root := apptest.RepoRoot(t)
	mux := http.NewServeMux()
	mux.Handle("/assets/", http.StripPrefix("/assets/", http.FileServer(http.Dir(filepath.Join(root, "assets")))))
	mux.Handle("/test/", http.StripPrefix("/test/", http.FileServer(http.Dir(filepath.Join("testdata", "browser")))))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	pages, err := filepath.Glob(filepath.Join("testdata", "browser", "*.html"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no check pages in testdata/browser (err=%v)", err)
	}
	for _, path := range pages {
		name := strings.TrimSuffix(filepath.Base(path), ".html")
		t.Run(name, func(t *testing.T) {
			p := newTab(t, name)
			p.open(srv.URL + "/test/" + name + ".html")
			p.wait(`typeof window.runTests === 'function' || window.loadError`, "the checks to load")
			results := eval[[]moduleResult](p, `(async () => {
				if (window.loadError) return [{name: 'page load', ok: false, error: window.loadError}];
				return await window.runTests();
			})()`)
			if len(results) == 0 {
				t.Fatal("the page ran no checks")
			}
			for _, r := range results {
				if !r.OK {
					t.Errorf("%s: %s", r.Name, r.Error)
				}
				if r.Note != "" {
					t.Logf("%s: %s", r.Name, r.Note)
				}
			}
			p.checkClean()
			t.Logf("%d checks run", len(results))
		})
	}
}
