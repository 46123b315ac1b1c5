// Package bilixml reads and writes Bilibili's danmaku XML, the format that
// danmaku2ass, biliass, DanmakuFactory and ArtPlayer read:
//
//	<?xml version="1.0" encoding="UTF-8"?><i><chatserver>chat.bilibili.com</chatserver><chatid>demo</chatid>…<source>k-v</source>
//	<d p="time,mode,size,color,unix_ts,pool,user_hash,id">text</d>
//	</i>
//
// The export starts byte for byte as Bilibili's files do, since converters
// such as danmaku2ass tell the format from the first bytes. The import also
// reads version 2.0 files (Bilibili's UWP client), whose p attribute is
// "id,?,time_ms,mode,size,color,unix_ts,?,user_hash".
//
// Both directions stream: the Encoder writes as it goes and the Decoder
// reads with encoding/xml's token API, so neither holds the document.
//
// Mapping: modes 1 scroll, 5 top, 4 bottom (on import 2 and 3 are scroll
// too; 6 reverse, 7 advanced, 8 code and 9 BAS are skipped); sizes 18, 25
// and 36 for small, medium and large (on import any size goes to the
// nearest of them); colour as a decimal RGB integer; time in seconds with
// five decimals; unix_ts in whole seconds; pool 0; the user hash is the
// CRC32 of the user id in unpadded lower-case hex, and imported authors
// ("bili:" + hash) keep their hash, so files round-trip.
package bilixml

import (
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"

	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/protocol"
)

// Bilibili's numbers for the three modes this server shows.
const (
	ModeScroll = 1
	ModeBottom = 4
	ModeTop    = 5
)

// Bilibili's font sizes for small, medium and large.
const (
	SizeSmall  = 18
	SizeMedium = 25
	SizeLarge  = 36
)

// modeNumber maps a mode to Bilibili's number.
func modeNumber(mode string) (int, bool) {
	switch mode {
	case protocol.ModeScroll:
		return ModeScroll, true
	case protocol.ModeTop:
		return ModeTop, true
	case protocol.ModeBottom:
		return ModeBottom, true
	}
	return 0, false
}

// unsupportedModes are Bilibili modes that exist but this server cannot show.
var unsupportedModes = map[int]string{6: "reverse", 7: "advanced", 8: "code", 9: "BAS"}

// modeOf maps Bilibili's mode number to a mode: 1–3 are all scrolling
// (2 and 3 are legacy variants), 4 bottom, 5 top. Anything else is skipped.
func modeOf(n int) (string, *interop.Skip) {
	switch n {
	case 1, 2, 3:
		return protocol.ModeScroll, nil
	case ModeBottom:
		return protocol.ModeBottom, nil
	case ModeTop:
		return protocol.ModeTop, nil
	}
	if name, ok := unsupportedModes[n]; ok {
		return "", &interop.Skip{Reason: interop.ReasonUnsupportedMode, Detail: fmt.Sprintf("mode %d (%s) is not supported", n, name)}
	}
	return "", &interop.Skip{Reason: interop.ReasonBadMode, Detail: fmt.Sprintf("mode %d is not a Bilibili mode", n)}
}

// sizeNumber maps a size to Bilibili's font size.
func sizeNumber(size string) (int, bool) {
	switch size {
	case protocol.SizeSmall:
		return SizeSmall, true
	case protocol.SizeMedium:
		return SizeMedium, true
	case protocol.SizeLarge:
		return SizeLarge, true
	}
	return 0, false
}

// sizeOf maps any font size to the nearest of 18, 25 and 36: up to 21.5 is
// small, up to 30.5 medium, larger is large; a tie goes to medium.
func sizeOf(px float64) string {
	switch {
	case px < (SizeSmall+SizeMedium)/2.0:
		return protocol.SizeSmall
	case px <= (SizeMedium+SizeLarge)/2.0:
		return protocol.SizeMedium
	}
	return protocol.SizeLarge
}

// colorNumber maps "#rrggbb" to the decimal RGB integer Bilibili stores.
func colorNumber(color string) (int64, bool) {
	if len(color) != 7 || color[0] != '#' {
		return 0, false
	}
	n, err := strconv.ParseUint(color[1:], 16, 32)
	return int64(n), err == nil
}

// colorOf maps Bilibili's decimal RGB integer to "#rrggbb".
func colorOf(n int64) (string, bool) {
	if n < 0 || n > 0xFFFFFF {
		return "", false
	}
	return fmt.Sprintf("#%06x", n), true
}

// userPrefix marks user ids that stand for a Bilibili user hash, so that an
// imported comment exports with the hash it came with.
const userPrefix = "bili:"

// UserHash is the user hash written for a user id: the CRC32 (IEEE) of the
// id in lower-case hex, unpadded as Bilibili writes it. Ids made by UserID
// give back the hash they were made from.
func UserHash(userID string) string {
	if h, ok := strings.CutPrefix(userID, userPrefix); ok && validHash(h) {
		return h
	}
	return strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(userID))), 16)
}

// UserID is the user id an imported comment gets for a Bilibili user hash.
func UserID(hash string) string { return userPrefix + hash }

// validHash accepts what Bilibili writes for a user: hex CRC32s, and the
// older "D…" guest and "b…" forms; DanmakuFactory's "NULL" means unknown.
func validHash(h string) bool {
	if h == "" || len(h) > 32 || strings.EqualFold(h, "NULL") {
		return false
	}
	for _, r := range h {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}
