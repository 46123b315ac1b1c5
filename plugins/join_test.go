package plugins_test

import (
	"testing"

	"github.com/danmaku/danmaku/plugins"
)

func TestJoin(t *testing.T) {
	env := newEnv(t)
	tests := []struct {
		name, config, user string
		wantAllowed        bool
		wantPlugin         string
		wantReason         string
	}{
		{"no join hooks admit", "plugins: [allow, reject]", "banned", true, "", ""},
		{"reject refuses", "plugins: [allow, door]", "banned", false, "door", "you are banned"},
		{"others pass", "plugins: [door]", "u1", true, "", ""},
		{"shadow admits", "plugins: [door]", "shadowed", true, "", ""},
		{"timeout fails open", "plugins: [{name: door-block, timeout: 10ms}]", "u1", true, "", ""},
		{"timeout fails closed", "plugins: [{name: door-block, timeout: 10ms, on_error: reject}]", "u1", false, "door-block", "could not be checked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := env.set(t, tt.config)
			res := s.Join(t.Context(), plugins.Join{Room: "room1", User: plugins.User{ID: tt.user}})
			if res.Allowed != tt.wantAllowed || res.Plugin != tt.wantPlugin || res.Reason != "" && tt.wantReason == "" {
				t.Errorf("Join = %+v, want allowed %v by %q", res, tt.wantAllowed, tt.wantPlugin)
			}
			if tt.wantReason != "" && !contains(res.Reason, tt.wantReason) {
				t.Errorf("reason %q, want %q", res.Reason, tt.wantReason)
			}
		})
	}
	t.Run("counters", func(t *testing.T) {
		s := env.set(t, "plugins: [door]")
		for _, u := range []string{"banned", "u1", "banned"} {
			s.Join(t.Context(), plugins.Join{User: plugins.User{ID: u}})
		}
		if st := stats(s, 0); st.Joins != 3 || st.JoinRefusals != 2 || st.Calls != 0 {
			t.Errorf("joins %d refusals %d calls %d, want 3 2 0", st.Joins, st.JoinRefusals, st.Calls)
		}
	})
}
