package bilixml_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/interop/bilixml"
	"github.com/danmaku/danmaku/app/interop/interoptest"
	"github.com/danmaku/danmaku/app/protocol"
)

// decodeAll reads every entry of doc, failing the test on a format error.
func decodeAll(t *testing.T, doc string) ([]interop.Entry, *bilixml.Decoder) {
	t.Helper()
	dec := bilixml.NewDecoder(strings.NewReader(doc))
	return interoptest.Drain(t, dec), dec
}

// decodeErr reads doc until it fails and returns the format error.
func decodeErr(t *testing.T, doc string) *interop.FormatError {
	t.Helper()
	dec := bilixml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := dec.Next()
		if err == io.EOF {
			t.Fatal("the document decoded without an error")
		}
		var fe *interop.FormatError
		if errors.As(err, &fe) {
			if _, again := dec.Next(); again != err {
				t.Errorf("Next after a failure returned %v, want the same error", again)
			}
			return fe
		}
		if err != nil {
			t.Fatalf("error %v (%T) is not a FormatError", err, err)
		}
	}
}

// A file as Bilibili serves it: one line, header elements, p with the
// newer ninth (weight) field, modes the server cannot show, odd font sizes.
const bilibiliFile = `<?xml version="1.0" encoding="UTF-8"?><i><chatserver>chat.bilibili.com</chatserver><chatid>1176840</chatid><mission>0</mission><maxlimit>3000</maxlimit><state>0</state><real_name>0</real_name><source>k-v</source>` +
	`<d p="56.93900,5,25,10066329,1463753442,0,a77032eb,1867111461,10">top &amp; centre</d>` +
	`<d p="156.00000,7,10,16711782,1517405876,0,a77032eb,4236086442,10">[0.1,0.01,"1-1",9,"positioned",0,0]</d>` +
	`<d p="50.63500,4,64,16777215,1516772564,0,1e81f70,4208883164,10">  bottom, big  </d>` +
	`<d p="1.07800,6,25,16777215,1383944749,0,e30bc6ec,334123560,10">reversed</d>` +
	`<d p="0.00000,1,18,41194,1607751484,0,D3f5e2a,42262493757702149,10">at zero</d>` +
	`<d p="10.50000,8,25,16777215,1607751484,2,b285e45d,42262493757702150">code</d>` +
	`<d p="12.00000,1,25,16777215,1607751484,0,b285e45d,42262493757702151,10"></d>` +
	`</i>`

func TestDecodeBilibiliFile(t *testing.T) {
	// The same file with a byte order mark and CRLF line ends between elements.
	crlf := "\uFEFF" + strings.ReplaceAll(strings.ReplaceAll(bilibiliFile, "><d ", ">\r\n<d "), "</i>", "\r\n</i>\r\n")
	for name, doc := range map[string]string{"as served": bilibiliFile, "BOM and CRLF": crlf} {
		t.Run(name, func(t *testing.T) {
			entries, dec := decodeAll(t, doc)
			if h := dec.Header(); h.ChatID != "1176840" || h.MaxLimit != 3000 {
				t.Errorf("header %+v", h)
			}
			if len(entries) != 3 {
				t.Fatalf("%d entries, want 3: %+v", len(entries), entries)
			}
			first := entries[0]
			if *first.Input.Time != 56.939 || first.Input.Mode != protocol.ModeTop || first.Input.Size != protocol.SizeMedium ||
				first.Input.Color != "#999999" || first.Input.Text != "top & centre" || first.User.ID != "bili:a77032eb" ||
				first.CreatedAt != 1463753442000 || first.SourceID != "1867111461" {
				t.Errorf("first entry %+v (time %v)", first, *first.Input.Time)
			}
			if e := entries[1]; e.Input.Mode != protocol.ModeBottom || e.Input.Size != protocol.SizeLarge || e.Input.Text != "  bottom, big  " || e.User.ID != "bili:1e81f70" {
				t.Errorf("second entry %+v", e)
			}
			if e := entries[2]; *e.Input.Time != 0 || e.Input.Mode != protocol.ModeScroll || e.Input.Size != protocol.SizeSmall || e.Input.Color != "#00a0ea" || e.SourceID != "42262493757702149" {
				t.Errorf("third entry %+v", e)
			}
			skipped := dec.Skipped()
			want := map[interop.Reason]int{interop.ReasonUnsupportedMode: 3, interop.ReasonBadText: 1}
			if skipped.Total != 4 || len(skipped.ByReason) != len(want) {
				t.Fatalf("skipped %+v, want %v", skipped, want)
			}
			for r, n := range want {
				if skipped.ByReason[r] != n {
					t.Errorf("skipped for %s: %d, want %d", r, skipped.ByReason[r], n)
				}
			}
			if d := skipped.Examples[0].Detail; d != "mode 7 (advanced) is not supported" {
				t.Errorf("first skip %q", d)
			}
		})
	}
}

// DanmakuFactory writes empty header elements, no encoding, zero
// timestamps and NULL user hashes.
const danmakuFactoryFile = `<?xml version="1.0"?>
<i>
    <chatserver></chatserver>
    <chatid></chatid>
    <mission></mission>
    <maxlimit></maxlimit>
    <state></state>
    <real_name></real_name>
    <source></source>
    <d p="3.250,1,25,16777215,0,0,NULL,0">from DanmakuFactory</d>
    <d p="4.000,5,30,255,0,0,NULL,0">blue &quot;top&quot; &apos;x&apos;</d>
</i>`

func TestDecodeDanmakuFactoryFile(t *testing.T) {
	entries, dec := decodeAll(t, danmakuFactoryFile)
	if len(entries) != 2 || dec.Skipped().Total != 0 {
		t.Fatalf("entries %+v, skipped %+v", entries, dec.Skipped())
	}
	e := entries[0]
	if e.Line != 10 || *e.Input.Time != 3.25 || e.User != (protocol.User{}) || e.CreatedAt != 0 || e.SourceID != "0" {
		t.Errorf("first entry %+v", e)
	}
	if e := entries[1]; e.Input.Text != `blue "top" 'x'` || e.Input.Color != "#0000ff" || e.Input.Size != protocol.SizeMedium || e.Line != 11 {
		t.Errorf("second entry %+v", e)
	}
}

// BililiveRecorder adds attributes to <d> and elements of its own.
const recorderFile = `<?xml version="1.0" encoding="utf-8"?>
<?xml-stylesheet type="text/xsl" href="#s"?>
<i><chatserver>chat.bilibili.com</chatserver><chatid>0</chatid><BililiveRecorder version="2.6.0" /><BililiveRecorderRecordInfo roomid="1" name="host"><extra><deep/></extra></BililiveRecorderRecordInfo>
<d p="1.234,1,25,16777215,1650000000000,0,5e1f2a33,0" user="Viewer" uid="42" raw="[[0,1],&quot;hi&quot;]">hi</d>
<gift ts="2.0" user="Viewer" uid="42" giftname="Heart" giftcount="1" />
<sc ts="3.0" user="Rich" uid="7" price="30" time="60">a super chat</sc>
<!-- a comment -->
</i>`

func TestDecodeRecorderFile(t *testing.T) {
	entries, dec := decodeAll(t, recorderFile)
	if len(entries) != 1 || dec.Skipped().Total != 0 {
		t.Fatalf("entries %+v, skipped %+v", entries, dec.Skipped())
	}
	// The millisecond timestamp is out of range as seconds: unknown, not fatal.
	if e := entries[0]; e.User.Name != "Viewer" || e.User.ID != "bili:5e1f2a33" || e.Input.Text != "hi" || e.CreatedAt != 0 || e.Line != 4 {
		t.Errorf("entry %+v", e)
	}
}

func TestDecodeDropsControlCharacters(t *testing.T) {
	doc := "<?xml version=\"1.0\"?>\n<i>\n<d p=\"1,1,25,0\">a\x01b\x08c</d>\n</i>"
	entries, dec := decodeAll(t, doc)
	if len(entries) != 1 || entries[0].Input.Text != "abc" || dec.ControlsDropped() != 2 {
		t.Fatalf("entries %+v, dropped %d", entries, dec.ControlsDropped())
	}
}

func TestDecodeSkipsBadEntries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		d      string
		reason interop.Reason
		detail string
	}{
		{"no p", `<d>x</d>`, interop.ReasonMalformed, "<d> has no p attribute"},
		{"short p", `<d p="1,1,25">x</d>`, interop.ReasonMalformed, `p="1,1,25" has 3 fields, want at least 4 (time,mode,size,color)`},
		{"time not a number", `<d p="soon,1,25,0">x</d>`, interop.ReasonBadTime, `time "soon" is not a number of seconds from 0 to 1e+09`},
		{"negative time", `<d p="-1,1,25,0">x</d>`, interop.ReasonBadTime, `time "-1" is not a number of seconds from 0 to 1e+09`},
		{"NaN time", `<d p="NaN,1,25,0">x</d>`, interop.ReasonBadTime, `time "NaN" is not a number of seconds from 0 to 1e+09`},
		{"infinite time", `<d p="Inf,1,25,0">x</d>`, interop.ReasonBadTime, `time "Inf" is not a number of seconds from 0 to 1e+09`},
		{"mode not a number", `<d p="1,top,25,0">x</d>`, interop.ReasonBadMode, `mode "top" is not a number`},
		{"unknown mode", `<d p="1,99,25,0">x</d>`, interop.ReasonBadMode, "mode 99 is not a Bilibili mode"},
		{"advanced mode", `<d p="1,7,25,0">[0,0,"1-1",4.5,"x"]</d>`, interop.ReasonUnsupportedMode, "mode 7 (advanced) is not supported"},
		{"BAS mode", `<d p="1,9,25,0">def text</d>`, interop.ReasonUnsupportedMode, "mode 9 (BAS) is not supported"},
		{"zero size", `<d p="1,1,0,0">x</d>`, interop.ReasonBadSize, `size "0" is not a positive number`},
		{"size not a number", `<d p="1,1,big,0">x</d>`, interop.ReasonBadSize, `size "big" is not a positive number`},
		{"negative color", `<d p="1,1,25,-1">x</d>`, interop.ReasonBadColor, `color "-1" is not a decimal RGB value from 0 to 16777215`},
		{"color too large", `<d p="1,1,25,16777216">x</d>`, interop.ReasonBadColor, `color "16777216" is not a decimal RGB value from 0 to 16777215`},
		{"hex color", `<d p="1,1,25,#ffffff">x</d>`, interop.ReasonBadColor, `color "#ffffff" is not a decimal RGB value from 0 to 16777215`},
		{"empty text", `<d p="1,1,25,0"></d>`, interop.ReasonBadText, "text must be 1 to 10000 characters"},
		{"self-closing", `<d p="1,1,25,0"/>`, interop.ReasonBadText, "text must be 1 to 10000 characters"},
		{"blank text", `<d p="1,1,25,0">   </d>`, interop.ReasonBadText, "text must be 1 to 10000 characters"},
		{"control character in text", "<d p=\"1,1,25,0\">a\u0085b</d>", interop.ReasonBadText, "text must not contain control characters"},
		{"markup in text", `<d p="1,1,25,0">a<b>bold</b></d>`, interop.ReasonMalformed, "element <b> inside <d>"},
		{"very long p is clipped in the message", `<d p="` + strings.Repeat("9", 100) + `">x</d>`, interop.ReasonMalformed, `p="` + strings.Repeat("9", 32) + `…" has 1 fields, want at least 4 (time,mode,size,color)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "<?xml version=\"1.0\"?>\n<i>\n" + tc.d + "\n<d p=\"2,1,25,0\">next</d>\n</i>\n"
			entries, dec := decodeAll(t, doc)
			// The bad entry is skipped and counted; the one after it is read.
			if len(entries) != 1 || entries[0].Input.Text != "next" || entries[0].Line != 4 {
				t.Fatalf("entries %+v", entries)
			}
			s := dec.Skipped()
			if s.Total != 1 || s.ByReason[tc.reason] != 1 || len(s.Examples) != 1 {
				t.Fatalf("skipped %+v, want one %s", s, tc.reason)
			}
			if got := s.Examples[0]; got.Line != 3 || got.Detail != tc.detail {
				t.Fatalf("skip %+v, want line 3, %q", got, tc.detail)
			}
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		line int
		msg  string
	}{
		{"empty", "", 1, "the file has no <i> element"},
		{"not XML", "hello", 1, "the file has no <i> element"},
		{"wrong root", "<?xml version=\"1.0\"?>\n<html><d p=\"1,1,25,0\">x</d></html>", 2, "the root element is <html>, want <i>"},
		{"unclosed element", "<i>\n<d p=\"1,1,25,0\">x</d>\n<d p=\"2,1,25,0\">y\n</i>", 4, "malformed XML: element <d> closed by </i>"},
		{"truncated", "<i>\n<d p=\"1,1,25,0\">x</d>\n<d p=\"2,1,2", 3, "malformed XML: unexpected EOF"},
		{"missing </i>", "<i>\n<d p=\"1,1,25,0\">x</d>\n", 3, "malformed XML: unexpected EOF"},
		{"unknown entity", "<i>\n\n<d p=\"1,1,25,0\">a&nbsp;b</d></i>", 3, "malformed XML: invalid character entity &nbsp;"},
		{"bare ampersand", "<i>\n<d p=\"1,1,25,0\">a & b</d></i>", 2, "malformed XML: invalid character entity & (no semicolon)"},
		{"unquoted attribute", "<i>\n<d p=1,1,25,0>x</d></i>", 2, "malformed XML: unquoted or missing attribute value in element"},
		{"XML 1.1", "<?xml version=\"1.1\"?>\n<i></i>", 1, `unsupported version "1.1"`},
		{"other encoding", "<?xml version=\"1.0\" encoding=\"GBK\"?>\n<i></i>", 1, `encoding "GBK" is not supported: convert the file to UTF-8`},
		{"second root", "<i>\n</i>\n<i>\n</i>", 3, "element <i> after </i>"},
		{"deep nesting", "<i>\n<x>" + strings.Repeat("<y>", 40) + strings.Repeat("</y>", 40) + "</x></i>", 2, "elements are nested more than 16 deep"},
		{"huge token", "<i>\n<d p=\"" + strings.Repeat("1", 2<<20) + "\">x</d></i>", 2, "a single entry or token is longer than 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := decodeErr(t, tc.doc)
			if fe.Line != tc.line || !strings.Contains(fe.Msg, tc.msg) || fe.Format != interop.FormatBilibiliXML {
				t.Fatalf("error %q at line %d; want line %d, %q", fe.Msg, fe.Line, tc.line, tc.msg)
			}
			if !strings.Contains(fe.Error(), "line ") {
				t.Fatalf("Error() = %q does not name the line", fe.Error())
			}
		})
	}
}

func TestDecodeErrorAfterEntries(t *testing.T) {
	// Entries before the error are returned; the error then sticks.
	dec := bilixml.NewDecoder(strings.NewReader("<i>\n<d p=\"1,1,25,0\">ok</d>\n<d p=\"2,1,25,0\">bad</x>\n</i>"))
	if e, err := dec.Next(); err != nil || e.Input.Text != "ok" {
		t.Fatalf("first: %+v, %v", e, err)
	}
	_, err := dec.Next()
	var fe *interop.FormatError
	if !errors.As(err, &fe) || fe.Line != 3 {
		t.Fatalf("second: %v, want a format error on line 3", err)
	}
}
