package bilixml_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/interop/bilixml"
	"github.com/danmaku/danmaku/app/protocol"
)

// bilibiliProlog is how every file from Bilibili's comment API
// (api.bilibili.com/x/v1/dm/list.so) starts, up to and including
// <chatserver>. danmaku2ass compares the 40 bytes after "<?" with
// `xml version="1.0" encoding="UTF-8"?><i`, so a line break before <i>
// makes it take the file for another site's.
const bilibiliProlog = `<?xml version="1.0" encoding="UTF-8"?><i><chatserver>chat.bilibili.com</chatserver>`

// headerNames lists the elements of doc's root before its first <d>.
func headerNames(t *testing.T, doc string) []string {
	t.Helper()
	x := xml.NewDecoder(strings.NewReader(doc))
	var names []string
	for depth := 0; ; {
		tok, err := x.Token()
		if err != nil {
			t.Fatalf("after %v: %v", names, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if depth++; depth == 2 {
				if e.Name.Local == "d" {
					return names
				}
				names = append(names, e.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
}

func TestExportStartsAsBilibiliFilesDo(t *testing.T) {
	for _, h := range []bilixml.Header{{}, {ChatID: "demo", MaxLimit: 12}, {ChatID: "1176840", MaxLimit: 3000}} {
		t.Run(fmt.Sprintf("%+v", h), func(t *testing.T) {
			doc := encodeAll(t, h, []protocol.Comment{comment(1, "x")})
			if !strings.HasPrefix(doc, bilibiliProlog) {
				t.Fatalf("the export starts\n%.120s\nwant\n%s", doc, bilibiliProlog)
			}
			// The header elements are Bilibili's, in its order.
			if got, want := headerNames(t, doc), headerNames(t, bilibiliFile); !slices.Equal(got, want) {
				t.Fatalf("header elements %v, want %v", got, want)
			}
		})
	}
}

// entry renders what an import keeps of an entry, for comparison.
func entry(e interop.Entry) string {
	return fmt.Sprintf("%g %s %s %s %q %s %d %s", *e.Input.Time, e.Input.Mode, e.Input.Size, e.Input.Color, e.Input.Text, e.User.ID, e.CreatedAt, e.SourceID)
}

// One comment in the common 8-field layout, and what it imports as.
const (
	d8     = `<d p="12.34500,1,25,16777215,1593244049,0,3dbb2ac3,34656419668557827">hi</d>`
	d8Want = `12.345 scroll medium #ffffff "hi" bili:3dbb2ac3 1593244049000 34656419668557827`
)

func TestImportVariants(t *testing.T) {
	decl := `<?xml version="1.0" encoding="UTF-8"?>`
	head := `<i><chatserver>chat.bilibili.com</chatserver><chatid>1</chatid><mission>0</mission><maxlimit>8</maxlimit><state>0</state><real_name>0</real_name><source>k-v</source>`
	for _, tc := range []struct {
		name string
		doc  string
		want []string               // entries, when the file is accepted
		skip map[interop.Reason]int // entries skipped, when accepted
		why  []string               // the skips' details, when given
		err  string                 // the reason, when the file is refused
	}{
		{name: "as Bilibili serves it", doc: decl + head + d8 + `</i>`, want: []string{d8Want}},
		{name: "byte order mark", doc: "\uFEFF" + decl + head + d8 + `</i>`, want: []string{d8Want}},
		{name: "lower-case utf-8", doc: `<?xml version="1.0" encoding="utf-8"?>` + head + d8 + `</i>`, want: []string{d8Want}},
		{name: "Utf-8 and a line break", doc: "<?xml version=\"1.0\" encoding=\"Utf-8\"?>\n" + head + d8 + `</i>`, want: []string{d8Want}},
		{name: "no declaration", doc: head + d8 + `</i>`, want: []string{d8Want}},
		{name: "no header elements", doc: decl + `<i>` + d8 + `</i>`, want: []string{d8Want}},
		{name: "empty header elements", doc: decl + `<i><chatserver/><chatid></chatid><maxlimit></maxlimit>` + d8 + `</i>`, want: []string{d8Want}},
		{name: "4 fields", doc: decl + head + `<d p="1.5,5,18,255">short</d></i>`, want: []string{`1.5 top small #0000ff "short"  0 `}},
		{name: "9 fields: Bilibili's weight", doc: decl + head + `<d p="12.34500,1,25,16777215,1593244049,0,3dbb2ac3,34656419668557827,10">hi</d></i>`, want: []string{d8Want}},
		{name: "12 fields: extra ones other sites add", doc: decl + head + `<d p="12.34500,1,25,16777215,1593244049,0,3dbb2ac3,34656419668557827,10,1,x,">hi</d></i>`, want: []string{d8Want}},
		{
			name: "version 2.0 from Bilibili's UWP client",
			doc: `<?xml version="2.0" encoding="UTF-8"?><i><oid>200140199</oid>` +
				`<d p="34656419668557827,0,12345,1,25,16777215,1593244049,0,3dbb2ac3">hi</d>` +
				`<d p="34786153443360771,0,35665,5,36,41194,1593491497,0,dd1ba50f">美国的外用&quot;酒精&quot;</d></i>`,
			want: []string{d8Want, `35.665 top large #00a0ea "美国的外用\"酒精\"" bili:dd1ba50f 1593491497000 34786153443360771`},
		},
		{
			name: "version 2.0 in single quotes, with a byte order mark",
			doc:  "\uFEFF<?xml version='2.0' encoding='utf-8'?><i><d p=\"34656419668557827,0,12345,1,25,16777215,1593244049,0,3dbb2ac3\">hi</d></i>",
			want: []string{d8Want},
		},
		{
			name: "modes the server cannot show are skipped and counted",
			doc: decl + head + d8 +
				`<d p="1,6,25,0">reverse</d><d p="1,7,25,0">[0,0,"1-1",4.5,"x"]</d><d p="1,8,25,0">code</d><d p="1,9,25,0">def</d><d p="1,11,25,0">?</d></i>`,
			want: []string{d8Want},
			skip: map[interop.Reason]int{interop.ReasonUnsupportedMode: 4, interop.ReasonBadMode: 1},
			why: []string{
				"mode 6 (reverse) is not supported", "mode 7 (advanced) is not supported", "mode 8 (code) is not supported",
				"mode 9 (BAS) is not supported", "mode 11 is not a Bilibili mode",
			},
		},
		{
			name: "version 2.0 entries are checked in their own layout",
			doc: `<?xml version="2.0" encoding="UTF-8"?><i>` +
				`<d p="1,0,12345,7,25,0,0,0,a">advanced</d><d p="1,0,-5,1,25,0,0,0,a">early</d><d p="1,0,12345,1,25">short</d></i>`,
			skip: map[interop.Reason]int{interop.ReasonUnsupportedMode: 1, interop.ReasonBadTime: 1, interop.ReasonMalformed: 1},
			why: []string{
				"mode 7 (advanced) is not supported",
				`time "-5" is not a number of milliseconds from 0 to 1e+12`,
				`p="1,0,12345,1,25" has 5 fields, want at least 6 (id,?,time_ms,mode,size,color)`,
			},
		},
		{name: "version 1.1 is refused", doc: `<?xml version="1.1" encoding="UTF-8"?><i></i>`, err: `unsupported version "1.1"`},
		{name: "other encodings are refused", doc: `<?xml version="1.0" encoding="GB2312"?><i></i>`, err: `encoding "GB2312" is not supported: convert the file to UTF-8`},
		{name: "another root is refused", doc: decl + `<packet><d p="1,1,25,0">x</d></packet>`, err: "the root element is <packet>, want <i>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dec := bilixml.NewDecoder(strings.NewReader(tc.doc))
			var got []string
			var err error
			for {
				var e interop.Entry
				if e, err = dec.Next(); err != nil {
					break
				}
				got = append(got, entry(e))
			}
			if tc.err != "" {
				if err == io.EOF || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != io.EOF {
				t.Fatalf("refused: %v", err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("entries\n%q\nwant\n%q", got, tc.want)
			}
			s := dec.Skipped()
			if n := len(s.ByReason); n != len(tc.skip) {
				t.Errorf("skipped %+v, want %v", s.ByReason, tc.skip)
			}
			for r, n := range tc.skip {
				if s.ByReason[r] != n {
					t.Errorf("skipped for %s: %d, want %d (%+v)", r, s.ByReason[r], n, s.Examples)
				}
			}
			if tc.why != nil {
				var why []string
				for _, e := range s.Examples {
					why = append(why, e.Detail)
				}
				if !slices.Equal(why, tc.why) {
					t.Errorf("skips %q, want %q", why, tc.why)
				}
			}
		})
	}
}
