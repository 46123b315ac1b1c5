package plugins_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/plugins"
)

func TestRegisterPanics(t *testing.T) {
	factory := func() plugins.Moderator { return noConfig{} }
	tests := []struct {
		name     string
		register string
		factory  plugins.Factory
		want     string
	}{
		{"empty name", "", factory, "empty plugin name"},
		{"duplicate", "dup", factory, "called twice"},
		{"upper case", "Dup", factory, "invalid plugin name"},
		{"space", "my plugin", factory, "invalid plugin name"},
		{"leading digit", "1st", factory, "invalid plugin name"},
		{"nil factory", "nilf", nil, "nil factory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := plugins.NewRegistry()
			reg.Register("dup", factory)
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.Contains(msg, tt.want) {
					t.Errorf("Register(%q) panic = %v, want it to mention %q", tt.register, r, tt.want)
				}
			}()
			reg.Register(tt.register, tt.factory)
		})
	}
}

func TestRegistryNamesSortedAndLookup(t *testing.T) {
	reg := plugins.NewRegistry()
	for _, n := range []string{"zeta", "alpha", "mid-2", "mid_1"} {
		reg.Register(n, func() plugins.Moderator { return noConfig{} })
	}
	if got, want := reg.Names(), []string{"alpha", "mid-2", "mid_1", "zeta"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if _, ok := reg.Lookup("alpha"); !ok {
		t.Error("Lookup(alpha) found nothing")
	}
	if _, ok := reg.Lookup("beta"); ok {
		t.Error("Lookup(beta) found a factory")
	}
}
