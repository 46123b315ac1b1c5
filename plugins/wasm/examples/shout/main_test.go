package main

import (
	"testing"

	"github.com/danmaku/danmaku/plugins/wasm/guest"
)

// The plugin's logic is plain Go: it is tested natively, without building
// the module (the module itself is tested in package wasm's tests).
func TestShout(t *testing.T) {
	if err := setup(guest.NewSettings(map[string]string{"min_length": "5"}, "")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want guest.Action
	}{
		{"HELLO WORLD", guest.ActionReject},
		{"Hello World", guest.ActionAllow},
		{"HELLO", guest.ActionAllow}, // five runes: not more than min_length
		{"12345678!", guest.ActionAllow},
	} {
		t.Run(tc.text, func(t *testing.T) {
			if v := shout(guest.Comment{Text: tc.text}); v.Action != tc.want {
				t.Errorf("shout(%q) = %v, want %v", tc.text, v.Action, tc.want)
			}
		})
	}
}
