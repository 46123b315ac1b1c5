package guest

import (
	"encoding/binary"
	"math"
	"reflect"
	"testing"
)

// record encodes c as the host's comment_read does.
func record(c Comment, roles string, meta [][2]string) string {
	b := binary.LittleEndian.AppendUint64(nil, math.Float64bits(c.Time))
	str := func(s string) {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	for _, s := range []string{c.Room, c.User.ID, c.User.Name, roles, c.Text, c.Mode, c.Color, c.Size} {
		str(s)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(meta)))
	for _, kv := range meta {
		str(kv[0])
		str(kv[1])
	}
	return string(b)
}

func TestParseRecord(t *testing.T) {
	want := Comment{Room: "r", User: User{ID: "u", Name: "Ann", Roles: []string{"viewer", "moderator"}},
		Text: "你好", Time: 12.5, Mode: "top", Color: "#ffffff", Size: "small"}
	c, err := parseRecord(record(want, "viewer\nmoderator", [][2]string{{"a", "1"}, {"via", "ws"}}))
	if err != nil {
		t.Fatal(err)
	}
	meta := c.Metadata
	c.Metadata = Metadata{}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("parsed %+v, want %+v", c, want)
	}
	if v, ok := meta.Get("via"); !ok || v != "ws" {
		t.Errorf("Get(via) = %q, %v", v, ok)
	}
	if _, ok := meta.Get("nope"); ok {
		t.Error("Get(nope) found something")
	}
	if keys := meta.Keys(); !reflect.DeepEqual(keys, []string{"a", "via"}) {
		t.Errorf("Keys() = %v", keys)
	}
	for _, bad := range []string{"", "12345678", record(want, "", nil)[:20]} {
		if _, err := parseRecord(bad); err == nil {
			t.Errorf("parseRecord(%q) accepted a truncated record", bad)
		}
	}
}

// recorder is a host that records what answer hands back.
type recorder struct{ calls []string }

func (r *recorder) setReason(s string) { r.calls = append(r.calls, "reason "+s) }
func (r *recorder) setField(id int32, v string) {
	r.calls = append(r.calls, "field "+string(rune('0'+id))+" "+v)
}
func (r *recorder) setTime(float64)         { r.calls = append(r.calls, "time") }
func (r *recorder) setMetadata(k, v string) { r.calls = append(r.calls, "meta "+k+"="+v) }

func TestAnswer(t *testing.T) {
	in, err := parseRecord(record(Comment{Text: "hi", Mode: "scroll", Color: "#ffffff", Size: "medium"}, "", [][2]string{{"via", "ws"}}))
	if err != nil {
		t.Fatal(err)
	}
	changed := in.Clone()
	changed.Text, changed.Color = "HI", "#ff0000"
	changed.Metadata.Set("via", "ws") // unchanged: not sent
	changed.Metadata.Set("seen", "yes")
	tests := []struct {
		name string
		v    Verdict
		code int32
		want []string
	}{
		{"allow", Allow(), 0, nil},
		{"reject", Reject("no"), 2, []string{"reason no"}},
		{"hold", Hold("wait"), 3, []string{"reason wait"}},
		{"shadow", Shadow("shh"), 4, []string{"reason shh"}},
		{"unchanged rewrite", Rewrite(in, ""), 1, nil},
		{"rewrite sends what changed", Rewrite(changed, "loud"), 1, []string{"reason loud", "field 5 HI", "field 7 #ff0000", "meta seen=yes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{}
			if code := answer(r, in, tc.v); code != tc.code || !reflect.DeepEqual(r.calls, tc.want) {
				t.Errorf("answer = %d, %q; want %d, %q", code, r.calls, tc.code, tc.want)
			}
		})
	}
	if _, ok := in.Metadata.Get("seen"); ok {
		t.Error("Set on a clone changed the original")
	}
}

func TestSettings(t *testing.T) {
	s := NewSettings(map[string]string{"n": "3", "name": "x", "on": "true", "bad": "many"}, `{"n":3}`)
	if n, err := s.Int("n", 1); n != 3 || err != nil {
		t.Errorf("Int(n) = %d, %v", n, err)
	}
	if n, err := s.Int("absent", 7); n != 7 || err != nil {
		t.Errorf("Int(absent) = %d, %v", n, err)
	}
	if _, err := s.Int("bad", 1); err == nil || err.Error() != "bad must be an integer, got many" {
		t.Errorf("Int(bad) error %v", err)
	}
	if b, err := s.Bool("on", false); !b || err != nil {
		t.Errorf("Bool(on) = %v, %v", b, err)
	}
	if got := s.String("name", "d"); got != "x" {
		t.Errorf("String(name) = %q", got)
	}
	if s.JSON() != `{"n":3}` {
		t.Errorf("JSON() = %q", s.JSON())
	}
}
