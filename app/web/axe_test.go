package web

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core release the accessibility test runs.
const axeVersion = "4.10.3"

// requireAxe returns the path of axe.min.js: DANMAKU_AXE_JS, else the
// cached copy, else one fetched with npm now (see requireNPMFile).
func requireAxe(t *testing.T) string {
	t.Helper()
	return requireNPMFile(t, "DANMAKU_AXE_JS", "axe-core", axeVersion, "package/axe.min.js",
		filepath.Join("testdata", "axe", axeVersion, "axe.min.js"))
}

// axeViolation is one rule axe found broken, with the elements that broke it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// TestAccessibility runs axe-core in every page of the site, on desktop and
// on a phone, the room also with its settings and comment menu open: no
// serious or critical violation of WCAG 2.1 A and AA (contrast included)
// may be left.
func TestAccessibility(t *testing.T) {
	needBrowser(t)
	script, err := os.ReadFile(requireAxe(t))
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 800}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			p := newTab(t, "axe")
			p.run(chromedp.EmulateViewport(size.w, size.h))
			p.signIn(s.URL(), moderator)
			for _, pg := range append(s.pages(), sitePage{"not found", "/rooms/nope", false}) {
				t.Run(pg.name, func(t *testing.T) {
					p := p.in(t)
					if pg.name == "not found" {
						p.open(s.URL() + pg.path)
					} else {
						p.openPage(s, pg)
					}
					p.axe(script, "as loaded")
					if pg.name == "room" {
						p.click(".dm-settings-menu > summary")
						p.wait(`document.querySelector('.dm-settings-menu').open`, "the settings")
						p.axe(script, "with the settings open")
						p.click(".dm-settings-menu > summary")
						p.openMenu(firstListed(p))
						p.axe(script, "with the comment menu open")
					}
				})
			}
		})
	}
}

// firstListed returns the id of the first comment in the page's list.
func firstListed(p *tab) int64 {
	p.t.Helper()
	return mustID(p.t, waitValue[string](p, `document.querySelector('#dm-list .dm-entry')?.dataset.id`, "a listed comment"))
}

// axe injects axe-core into the page (once) and fails the test for every
// serious or critical violation it finds.
func (p *tab) axe(script []byte, when string) {
	p.t.Helper()
	if !eval[bool](p, `typeof window.axe === 'object'`) {
		// Evaluated through DevTools, which the page's CSP does not govern.
		eval[bool](p, string(script)+"\n;true")
	}
	found := eval[[]axeViolation](p, `(async () => {
		const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
		return r.violations;
	})()`)
	for _, v := range found {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for i, n := range v.Nodes {
			if i == 3 {
				where = append(where, fmt.Sprintf("and %d more", len(v.Nodes)-3))
				break
			}
			where = append(where, fmt.Sprintf("%v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " ")))
		}
		p.t.Errorf("%s %s: %s (%s): %s", p.name, when, v.ID, v.Impact, strings.Join(where, "; "))
	}
}
