package bilixml

import (
	"hash/crc32"
	"strconv"
	"testing"

	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/protocol"
)

func TestModeNumber(t *testing.T) {
	for _, tc := range []struct {
		mode string
		want int
		ok   bool
	}{
		{protocol.ModeScroll, 1, true},
		{protocol.ModeTop, 5, true},
		{protocol.ModeBottom, 4, true},
		{"reverse", 0, false},
		{"", 0, false},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			got, ok := modeNumber(tc.mode)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("modeNumber(%q) = %d, %v; want %d, %v", tc.mode, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestModeOf(t *testing.T) {
	for _, tc := range []struct {
		n      int
		want   string
		reason interop.Reason
		detail string
	}{
		{1, protocol.ModeScroll, "", ""},
		{2, protocol.ModeScroll, "", ""},
		{3, protocol.ModeScroll, "", ""},
		{4, protocol.ModeBottom, "", ""},
		{5, protocol.ModeTop, "", ""},
		{6, "", interop.ReasonUnsupportedMode, "mode 6 (reverse) is not supported"},
		{7, "", interop.ReasonUnsupportedMode, "mode 7 (advanced) is not supported"},
		{8, "", interop.ReasonUnsupportedMode, "mode 8 (code) is not supported"},
		{9, "", interop.ReasonUnsupportedMode, "mode 9 (BAS) is not supported"},
		{0, "", interop.ReasonBadMode, "mode 0 is not a Bilibili mode"},
		{10, "", interop.ReasonBadMode, "mode 10 is not a Bilibili mode"},
		{-1, "", interop.ReasonBadMode, "mode -1 is not a Bilibili mode"},
	} {
		t.Run(strconv.Itoa(tc.n), func(t *testing.T) {
			got, skip := modeOf(tc.n)
			if got != tc.want {
				t.Errorf("mode %q, want %q", got, tc.want)
			}
			switch {
			case tc.reason == "" && skip != nil:
				t.Errorf("skipped: %+v", skip)
			case tc.reason != "" && (skip == nil || skip.Reason != tc.reason || skip.Detail != tc.detail):
				t.Errorf("skip %+v, want %s %q", skip, tc.reason, tc.detail)
			}
		})
	}
}

func TestSizes(t *testing.T) {
	for _, tc := range []struct {
		size string
		want int
	}{{protocol.SizeSmall, 18}, {protocol.SizeMedium, 25}, {protocol.SizeLarge, 36}} {
		t.Run("export "+tc.size, func(t *testing.T) {
			if got, ok := sizeNumber(tc.size); !ok || got != tc.want {
				t.Fatalf("sizeNumber(%q) = %d, %v; want %d", tc.size, got, ok, tc.want)
			}
		})
	}
	if _, ok := sizeNumber("huge"); ok {
		t.Error(`sizeNumber("huge") succeeded`)
	}
	// Imports map every size to the nearest of 18, 25 and 36.
	for _, tc := range []struct {
		px   float64
		want string
	}{
		{1, protocol.SizeSmall}, {10, protocol.SizeSmall}, {18, protocol.SizeSmall}, {21, protocol.SizeSmall},
		{21.5, protocol.SizeMedium}, // a tie goes to medium
		{22, protocol.SizeMedium}, {25, protocol.SizeMedium}, {30, protocol.SizeMedium},
		{30.5, protocol.SizeMedium}, // a tie goes to medium
		{31, protocol.SizeLarge}, {36, protocol.SizeLarge}, {64, protocol.SizeLarge}, {1000, protocol.SizeLarge},
	} {
		t.Run("import "+strconv.FormatFloat(tc.px, 'f', -1, 64), func(t *testing.T) {
			if got := sizeOf(tc.px); got != tc.want {
				t.Fatalf("sizeOf(%g) = %q, want %q", tc.px, got, tc.want)
			}
		})
	}
}

func TestColors(t *testing.T) {
	for _, tc := range []struct {
		hex string
		n   int64
	}{
		{"#ffffff", 16777215},
		{"#000000", 0},
		{"#0000ff", 255},
		{"#e54256", 15024726},
		{"#00a0ea", 41194},
	} {
		t.Run(tc.hex, func(t *testing.T) {
			if got, ok := colorNumber(tc.hex); !ok || got != tc.n {
				t.Errorf("colorNumber(%q) = %d, %v; want %d", tc.hex, got, ok, tc.n)
			}
			if got, ok := colorOf(tc.n); !ok || got != tc.hex {
				t.Errorf("colorOf(%d) = %q, %v; want %q", tc.n, got, ok, tc.hex)
			}
		})
	}
	for _, bad := range []string{"", "#fff", "ffffff", "#gggggg", "#ffffff0"} {
		if _, ok := colorNumber(bad); ok {
			t.Errorf("colorNumber(%q) succeeded", bad)
		}
	}
	for _, bad := range []int64{-1, 16777216} {
		if _, ok := colorOf(bad); ok {
			t.Errorf("colorOf(%d) succeeded", bad)
		}
	}
}

func TestUserHash(t *testing.T) {
	for _, tc := range []struct {
		name, id, want string
	}{
		{"crc32 in hex", "alice", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte("alice"))), 16)},
		{"unpadded, as Bilibili writes it", "u31", "8ce16a3"}, // crc32("u31") = 0x08ce16a3
		{"an imported hash comes back", UserID("1e81f70"), "1e81f70"},
		{"an imported guest hash comes back", UserID("D3f5e2a"), "D3f5e2a"},
		{"a bili: id that is no hash is hashed", "bili:no way", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte("bili:no way"))), 16)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := UserHash(tc.id); got != tc.want {
				t.Fatalf("UserHash(%q) = %q, want %q", tc.id, got, tc.want)
			}
		})
	}
}
