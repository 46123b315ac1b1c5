package loadtest

import (
	"encoding/json"
	"testing"
	"time"
)

func TestStampRoundTrip(t *testing.T) {
	run := newRunID()
	if len(run) != 8 {
		t.Fatalf("run ID %q, want 8 hex digits", run)
	}
	sent := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC).UnixNano()
	raw := appendRawComment(nil, run, 12, 3456, sent)
	st, ok := parseStamp(raw, run)
	if !ok || st != (stamp{room: 12, seq: 3456, sentNano: sent}) {
		t.Fatalf("parseStamp(%q) = %+v, %v", raw, st, ok)
	}
	room, seq, ok := parseID(appendID(nil, run, 0, 0), run)
	if !ok || room != 0 || seq != 0 {
		t.Fatalf("parseID of room 0 seq 0 = %d, %d, %v", room, seq, ok)
	}
}

func TestParseStampRejects(t *testing.T) {
	const run = "0a1b2c3d"
	tests := []struct{ name, text string }{
		{"other run", "ffffffff-1-2 1700000000000000000"},
		{"no timestamp", "0a1b2c3d-1-2"},
		{"missing seq", "0a1b2c3d-1 1700000000000000000"},
		{"letters in seq", "0a1b2c3d-1-x 1700000000000000000"},
		{"trailing text", "0a1b2c3d-1-2 1700000000000000000 extra"},
		{"negative room", "0a1b2c3d--1-2 1700000000000000000"},
		{"overflowing timestamp", "0a1b2c3d-1-2 99999999999999999999"},
		{"empty", ""},
		{"a user's comment", "hello world"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if st, ok := parseStamp([]byte(tt.text), run); ok {
				t.Errorf("parseStamp(%q) = %+v, want rejection", tt.text, st)
			}
		})
	}
}

func TestJSONCommentFrame(t *testing.T) {
	const run = "0a1b2c3d"
	frame := appendJSONComment(nil, run, "lt7", 7, 42, 1700000000123456789, 1500*time.Millisecond)
	var got map[string]any
	if err := json.Unmarshal(frame, &got); err != nil {
		t.Fatalf("comment frame is not JSON: %v\n%s", err, frame)
	}
	want := map[string]any{
		"type": "comment", "ref": "0a1b2c3d-7-42", "room": "lt7",
		"text": "lt 0a1b2c3d-7-42 1700000000123456789", "time": 1.5,
		"mode": "scroll", "color": "#ffffff", "size": "medium",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("frame has %d fields, want %d: %s", len(got), len(want), frame)
	}
}
