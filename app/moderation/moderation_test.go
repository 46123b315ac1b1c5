package moderation_test

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/protocol/modproto"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// verdictPlugin decides by the comment's text: "reject …", "hold …",
// "shadow …", "upper …" (rewritten in capitals), "huge" (rewritten past
// the limits); anything else is allowed.
type verdictPlugin struct{}

func (verdictPlugin) Moderate(_ context.Context, c plugins.Comment) (plugins.Verdict, error) {
	word, _, _ := strings.Cut(c.Text, " ")
	switch word {
	case "reject":
		return plugins.Reject("no"), nil
	case "hold":
		return plugins.Hold("wait"), nil
	case "shadow":
		return plugins.Shadow("quiet"), nil
	case "upper":
		c.Text = strings.ToUpper(c.Text)
		return plugins.Rewrite(c, "shout"), nil
	case "huge":
		c.Text = strings.Repeat("x", 500)
		return plugins.Rewrite(c, "grow"), nil
	}
	return plugins.Allow(), nil
}

// fakeStore answers moderators' reads and records decisions.
type fakeStore struct {
	mu      sync.Mutex
	decided [][]int64
	purge   []int64
}

func (s *fakeStore) HeldComments(context.Context, string, int) ([]store.ModComment, error) {
	return nil, nil
}
func (s *fakeStore) RecentComments(context.Context, store.RecentQuery) ([]store.ModComment, error) {
	return nil, nil
}
func (s *fakeStore) PurgeCandidates(context.Context, store.Purge) ([]int64, error) {
	return s.purge, nil
}
func (s *fakeStore) Decide(_ context.Context, ids []int64, d store.Decision, _ string) ([]store.ModComment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.decided = append(s.decided, ids)
	out := make([]store.ModComment, len(ids))
	for i, id := range ids {
		out[i] = store.ModComment{Comment: protocol.Comment{ID: id, Status: string(store.Deleted)}}
	}
	return out, nil
}

// fakeBans keeps bans in memory.
type fakeBans struct {
	mu   sync.Mutex
	bans []store.Ban
}

func (b *fakeBans) Lookup(context.Context, plugins.BlockQuery) (plugins.Block, bool, error) {
	return plugins.Block{}, false, nil
}
func (b *fakeBans) Active() []store.Ban {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]store.Ban(nil), b.bans...)
}
func (b *fakeBans) Ban(_ context.Context, ban store.Ban) (store.Ban, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ban.ID = int64(len(b.bans) + 1)
	b.bans = append(b.bans, ban)
	return ban, nil
}
func (b *fakeBans) Lift(_ context.Context, id int64, _ string) (store.Ban, error) {
	return store.Ban{ID: id}, nil
}

func newService(t *testing.T, st *fakeStore) *moderation.Service {
	t.Helper()
	reg := plugins.NewRegistry()
	reg.Register("verdict", func() plugins.Moderator { return verdictPlugin{} })
	svc, err := moderation.New(context.Background(), moderation.Deps{
		Source:   moderation.Source{Config: &plugins.Config{Plugins: []plugins.Entry{{Name: "verdict"}}}},
		Registry: reg, Store: st, Bans: &fakeBans{}, Limits: protocol.Limits{MinRunes: 1, MaxRunes: 100},
		FlushEvery: time.Hour, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("moderation.New: %v", err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

func TestModerate(t *testing.T) {
	tests := []struct {
		text       string
		wantCode   errs.Code
		wantStatus store.Status
		wantText   string
		wantPlugin string
		wantFailed bool
	}{
		{text: "fine", wantStatus: store.Visible, wantText: "fine"},
		{text: "reject this", wantCode: errs.Rejected, wantPlugin: "verdict"},
		{text: "hold this", wantStatus: store.Held, wantText: "hold this", wantPlugin: "verdict"},
		{text: "shadow this", wantStatus: store.Shadowed, wantText: "shadow this", wantPlugin: "verdict"},
		{text: "upper case", wantStatus: store.Visible, wantText: "UPPER CASE"},
		{text: "huge", wantCode: errs.Rejected, wantPlugin: "verdict", wantFailed: true},
	}
	svc := newService(t, &fakeStore{})
	from := moderation.Sender{Identity: auth.Identity{ID: "u1"}, IP: netip.MustParseAddr("192.0.2.1"), Via: moderation.ViaWS}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			d := protocol.Draft{Text: tt.text, Mode: protocol.ModeScroll, Color: "#ffffff", Size: protocol.SizeMedium}
			v, err := svc.Moderate(context.Background(), "room", from, &d)
			if tt.wantCode != "" {
				if err == nil || errs.CodeOf(err) != tt.wantCode {
					t.Fatalf("err = %v, want code %s", err, tt.wantCode)
				}
			} else if err != nil {
				t.Fatalf("err = %v", err)
			} else if v.Status != tt.wantStatus || d.Text != tt.wantText {
				t.Errorf("verdict %+v, text %q; want %s, %q", v, d.Text, tt.wantStatus, tt.wantText)
			}
			if v.Plugin != tt.wantPlugin || v.Failed != tt.wantFailed {
				t.Errorf("plugin %q failed %v; want %q %v", v.Plugin, v.Failed, tt.wantPlugin, tt.wantFailed)
			}
		})
	}
}

func TestBan(t *testing.T) {
	mod := auth.Identity{ID: "mod", Roles: []string{auth.RoleModerator}}
	tests := []struct {
		name     string
		req      modproto.BanRequest
		wantCode errs.Code
		check    func(*testing.T, modproto.BanResult, *fakeStore)
	}{
		{name: "needs a user or an address", req: modproto.BanRequest{Reason: "x"}, wantCode: errs.Invalid},
		{name: "not oneself", req: modproto.BanRequest{UserID: "mod"}, wantCode: errs.Invalid},
		{name: "a range too wide", req: modproto.BanRequest{IP: "10.0.0.0/8"}, wantCode: errs.Invalid},
		{name: "a bad duration", req: modproto.BanRequest{UserID: "u1", Duration: "forever"}, wantCode: errs.Invalid},
		{name: "an address is stored as its /32", req: modproto.BanRequest{IP: "::ffff:192.0.2.7"},
			check: func(t *testing.T, r modproto.BanResult, _ *fakeStore) {
				if r.Ban.IP.String() != "192.0.2.7/32" {
					t.Errorf("ip = %s, want 192.0.2.7/32", r.Ban.IP)
				}
			}},
		{name: "days and a purge", req: modproto.BanRequest{UserID: "u1", Duration: "7d", DeleteRecent: "1h"},
			check: func(t *testing.T, r modproto.BanResult, st *fakeStore) {
				if r.Ban.Until == nil || time.Until(r.Ban.Until.Time()) < 6*24*time.Hour {
					t.Errorf("until = %v, want about a week from now", r.Ban.Until)
				}
				if len(r.Deleted) != 2 || len(st.decided) != 1 {
					t.Errorf("deleted %v in %d decisions, want the 2 purge candidates in 1", r.Deleted, len(st.decided))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &fakeStore{purge: []int64{11, 12}}
			svc := newService(t, st)
			res, err := svc.Ban(context.Background(), mod, tt.req)
			if tt.wantCode != "" {
				if err == nil || errs.CodeOf(err) != tt.wantCode {
					t.Fatalf("err = %v, want code %s", err, tt.wantCode)
				}
				if len(svc.ActiveBans()) != 0 {
					t.Errorf("a refused ban was stored: %+v", svc.ActiveBans())
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if len(svc.ActiveBans()) != 1 {
				t.Errorf("active bans %+v, want the new one", svc.ActiveBans())
			}
			tt.check(t, res, st)
		})
	}
}
