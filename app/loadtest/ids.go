package loadtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"math"
	"strconv"
)

// A comment's text carries everything a receiver needs to account for it:
//
//	raw frame:  <run>-<room>-<seq> <unixnano>
//	json text:  lt <run>-<room>-<seq> <unixnano>
//
// run tells this run's comments from replayed history; room and seq index the
// delivery bitsets; unixnano is the send time for latency. The ID is also the
// json ack ref.

// jsonTextPrefix marks load-test comments in json mode.
const jsonTextPrefix = "lt "

// syncWord starts raw-mode barrier frames, which prove a socket has joined.
const syncWord = "sync "

// newRunID returns 8 random hex digits.
func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux.
	return hex.EncodeToString(b[:])
}

// appendID appends "<run>-<room>-<seq>".
func appendID(dst []byte, run string, room, seq int) []byte {
	dst = append(dst, run...)
	dst = append(dst, '-')
	dst = strconv.AppendInt(dst, int64(room), 10)
	dst = append(dst, '-')
	return strconv.AppendInt(dst, int64(seq), 10)
}

// stamp is a parsed comment ID with its send time.
type stamp struct {
	room, seq int
	sentNano  int64
}

// parseID parses "<run>-<room>-<seq>" and reports whether it belongs to run.
func parseID(b []byte, run string) (room, seq int, ok bool) {
	if len(b) < len(run)+4 || string(b[:len(run)]) != run || b[len(run)] != '-' {
		return 0, 0, false
	}
	b = b[len(run)+1:]
	room, b, ok = leadingInt(b)
	if !ok || len(b) == 0 || b[0] != '-' {
		return 0, 0, false
	}
	seq, b, ok = leadingInt(b[1:])
	return room, seq, ok && len(b) == 0
}

// parseStamp parses "<run>-<room>-<seq> <unixnano>" (the raw frame, or the
// json text after its prefix); ok is false for anything not from this run.
func parseStamp(b []byte, run string) (stamp, bool) {
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		return stamp{}, false
	}
	room, seq, ok := parseID(b[:sp], run)
	if !ok {
		return stamp{}, false
	}
	ts, rest, ok := leadingInt(b[sp+1:])
	if !ok || len(rest) != 0 {
		return stamp{}, false
	}
	return stamp{room: room, seq: seq, sentNano: int64(ts)}, true
}

// leadingInt parses the decimal digits at the start of b: at least one, no overflow.
func leadingInt(b []byte) (int, []byte, bool) {
	n, i := 0, 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := int(b[i] - '0')
		if n > (math.MaxInt-d)/10 {
			return 0, b, false
		}
		n = n*10 + d
	}
	if i == 0 {
		return 0, b, false
	}
	return n, b[i:], true
}
