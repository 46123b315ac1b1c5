package interop_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/interop"
)

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		want       interop.Format
		err        string
	}{
		{"xml", `<?xml version="1.0"?><i>`, interop.FormatBilibiliXML, ""},
		{"xml after BOM and space", "\uFEFF \r\n<i>", interop.FormatBilibiliXML, ""},
		{"json", `{"format":"danmaku/v1"`, interop.FormatJSON, ""},
		{"json after space", "\n\t{", interop.FormatJSON, ""},
		{"empty", " \n", "", "the file is empty"},
		{"other", "PK\x03\x04", "", "neither Bilibili XML nor a danmaku JSON export"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := interop.Sniff([]byte(tc.head))
			if got != tc.want || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("Sniff = %q, %v; want %q, %q", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestReasonOf(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		want interop.Reason
	}{
		{"time must be a number of seconds from 0 to 1e+09", interop.ReasonBadTime},
		{"mode must be scroll, top or bottom", interop.ReasonBadMode},
		{"color must look like #rrggbb", interop.ReasonBadColor},
		{"size must be small, medium or large", interop.ReasonBadSize},
		{"text must be 1 to 100 characters", interop.ReasonBadText},
		{"something else", interop.ReasonInvalid},
	} {
		t.Run(string(tc.want), func(t *testing.T) {
			if got := interop.ReasonOf(errs.New(errs.Invalid, "%s", tc.msg)); got != tc.want {
				t.Fatalf("ReasonOf(%q) = %q, want %q", tc.msg, got, tc.want)
			}
		})
	}
}

func TestTallyKeepsTheFirstExamples(t *testing.T) {
	var tally interop.Tally
	for i := range 1000 {
		r := interop.ReasonBadTime
		if i%4 == 0 {
			r = interop.ReasonBadMode
		}
		tally.Add(interop.Skip{Line: i + 1, Reason: r, Detail: "x"})
	}
	if tally.Total != 1000 || tally.ByReason[interop.ReasonBadMode] != 250 || tally.ByReason[interop.ReasonBadTime] != 750 {
		t.Fatalf("tally %+v", tally.ByReason)
	}
	if len(tally.Examples) != interop.MaxExamples || tally.Examples[0].Line != 1 || tally.Examples[interop.MaxExamples-1].Line != interop.MaxExamples {
		t.Fatalf("examples %+v", tally.Examples)
	}
	if s := tally.Examples[2].String(); s != "line 3: x" {
		t.Fatalf("String() = %q", s)
	}
}

func TestClip(t *testing.T) {
	if got := interop.Clip("short"); got != "short" {
		t.Errorf("Clip(short) = %q", got)
	}
	// 20 three-byte runes: the cut must not split one.
	got := interop.Clip(strings.Repeat("弹", 20))
	if got != strings.Repeat("弹", 10)+"…" {
		t.Errorf("Clip = %q", got)
	}
}

func TestInput(t *testing.T) {
	t.Run("drops a byte order mark, even read a byte at a time", func(t *testing.T) {
		in := interop.NewInput(iotest.OneByteReader(strings.NewReader("\uFEFF<i/>")), 0, false)
		got, err := io.ReadAll(in)
		if err != nil || string(got) != "<i/>" {
			t.Fatalf("%q, %v", got, err)
		}
	})
	t.Run("keeps a byte order mark that is not at the start", func(t *testing.T) {
		got, _ := io.ReadAll(interop.NewInput(strings.NewReader("a\uFEFF"), 0, false))
		if string(got) != "a\uFEFF" {
			t.Fatalf("%q", got)
		}
	})
	t.Run("drops control characters when asked", func(t *testing.T) {
		in := interop.NewInput(strings.NewReader("a\x00b\tc\r\nd\x1f\x7f"), 0, true)
		got, _ := io.ReadAll(in)
		if string(got) != "ab\tc\r\nd\x7f" || in.Dropped() != 2 {
			t.Fatalf("%q, dropped %d", got, in.Dropped())
		}
	})
	t.Run("a read of only control characters is not the end", func(t *testing.T) {
		in := interop.NewInput(iotest.OneByteReader(strings.NewReader("\x01\x02x")), 0, true)
		got, err := io.ReadAll(in)
		if err != nil || string(got) != "x" {
			t.Fatalf("%q, %v", got, err)
		}
	})
	t.Run("counts lines across marks", func(t *testing.T) {
		in := interop.NewInput(strings.NewReader("one\ntwo\nthree\nfour"), 0, false)
		if _, err := io.ReadAll(in); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			mark, offset int64
			line         int
		}{{0, 0, 1}, {0, 4, 2}, {4, 9, 3}, {9, 14, 4}, {14, 100, 4}, {14, 0, 4}} {
			in.Mark(tc.mark)
			if got := in.Line(tc.offset); got != tc.line {
				t.Errorf("after Mark(%d), Line(%d) = %d, want %d", tc.mark, tc.offset, got, tc.line)
			}
		}
		if in.End() != 18 {
			t.Errorf("End() = %d", in.End())
		}
	})
	t.Run("refuses to read past the limit until marked", func(t *testing.T) {
		in := interop.NewInput(strings.NewReader(strings.Repeat("x", 100)), 10, false)
		buf := make([]byte, 64)
		n, err := in.Read(buf)
		if n != 10 || err != nil {
			t.Fatalf("first read %d, %v", n, err)
		}
		_, err = in.Read(buf)
		var tooLong *interop.TooLongError
		if !errors.As(err, &tooLong) || tooLong.Limit != 10 || err.Error() != "a single entry or token is longer than 10 bytes" {
			t.Fatalf("second read: %v", err)
		}
		in.Mark(8)
		if n, err := in.Read(buf); n != 8 || err != nil {
			t.Fatalf("after Mark(8): %d, %v", n, err)
		}
	})
}

func TestFormatError(t *testing.T) {
	cause := errors.New("cause")
	err := error(&interop.FormatError{Format: interop.FormatJSON, Line: 7, Msg: "bad", Err: cause})
	if err.Error() != "danmaku-json, line 7: bad" || !errors.Is(err, cause) {
		t.Fatalf("%v", err)
	}
}
