package privacy

import (
	"context"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// fakeStore records what the service asked for.
type fakeStore struct {
	erasedBefore time.Time
	purgedAt     time.Time
	erasedUser   string
}

func (f *fakeStore) UserData(context.Context, string) (store.UserData, error) {
	return store.UserData{}, nil
}

func (f *fakeStore) EraseUser(_ context.Context, user string, _ time.Time) (store.Erasure, error) {
	f.erasedUser = user
	return store.Erasure{Comments: 1}, nil
}

func (f *fakeStore) EraseAddresses(_ context.Context, before time.Time) (store.AddressErasure, error) {
	f.erasedBefore = before
	return store.AddressErasure{Comments: 2}, nil
}

func (f *fakeStore) PurgeSessions(_ context.Context, now time.Time) (int, error) {
	f.purgedAt = now
	return 3, nil
}

type forgetter []string

func (f *forgetter) Forget(user string) { *f = append(*f, user) }

func TestSweep(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		retention time.Duration
		every     time.Duration
		erases    bool
	}{
		{"30 days", 30 * 24 * time.Hour, time.Hour, true},
		{"an hour", time.Hour, 6 * time.Minute, true},
		{"a moment", time.Millisecond, 10 * time.Millisecond, true},
		{"kept for good", -1, time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &fakeStore{}
			s := New(Deps{Store: st, Retention: tc.retention})
			s.now = func() time.Time { return now }
			if got := s.Every(); got != tc.every {
				t.Errorf("Every() = %s, want %s", got, tc.every)
			}
			swept, err := s.Sweep(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !st.purgedAt.Equal(now) || swept.Sessions != 3 {
				t.Errorf("sessions purged at %s (%d), want at %s", st.purgedAt, swept.Sessions, now)
			}
			switch {
			case tc.erases && (!st.erasedBefore.Equal(now.Add(-tc.retention)) || swept.Addresses.Comments != 2):
				t.Errorf("addresses erased before %s (%+v), want before %s", st.erasedBefore, swept.Addresses, now.Add(-tc.retention))
			case !tc.erases && !st.erasedBefore.IsZero():
				t.Errorf("addresses erased with retention %s", tc.retention)
			}
		})
	}
}

func TestErase(t *testing.T) {
	st, cache := &fakeStore{}, &forgetter{}
	s := New(Deps{Store: st, Sessions: cache})
	if _, err := s.Erase(context.Background(), ""); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("erasing nobody: %v, want Invalid", err)
	}
	if got, err := s.Erase(context.Background(), "u1"); err != nil || got.Comments != 1 || st.erasedUser != "u1" {
		t.Fatalf("Erase = %+v, %v (store erased %q)", got, err, st.erasedUser)
	}
	if len(*cache) != 1 || (*cache)[0] != "u1" {
		t.Fatalf("this node's session cache was told %v, want [u1]", *cache)
	}
}
