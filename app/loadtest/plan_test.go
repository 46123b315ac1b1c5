package loadtest

import (
	"strings"
	"testing"
	"time"
)

func TestMakePlan(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		members     []int
		budgets     []int
		senders     int
		interval    time.Duration
		wantPlanned int64
	}{
		{
			name:    "hot room: one sender at the total rate",
			cfg:     Config{Rooms: 1, Viewers: 5000, Senders: 1, Rate: 200, Duration: 20 * time.Second},
			members: []int{5001}, budgets: []int{4000}, senders: 1, interval: 5 * time.Millisecond, wantPlanned: 4000,
		},
		{
			name:    "per-room rate split over two senders in each room",
			cfg:     Config{Rooms: 2, Viewers: 10, Senders: 4, RoomRate: 5, Duration: 10 * time.Second},
			members: []int{7, 7}, budgets: []int{50, 50}, senders: 4, interval: 400 * time.Millisecond, wantPlanned: 100,
		},
		{
			name:    "total rate split evenly over senders, rooms uneven",
			cfg:     Config{Rooms: 2, Viewers: 3, Senders: 3, Rate: 30, Duration: time.Second},
			members: []int{4, 2}, budgets: []int{20, 10}, senders: 3, interval: 100 * time.Millisecond, wantPlanned: 30,
		},
		{
			name:    "fractional budget rounds up",
			cfg:     Config{Rooms: 1, Viewers: 1, Senders: 1, Rate: 3, Duration: 1500 * time.Millisecond},
			members: []int{2}, budgets: []int{5}, senders: 1, interval: time.Second / 3, wantPlanned: 5,
		},
		{
			name:    "idle: no rate, no senders planned",
			cfg:     Config{Rooms: 3, Viewers: 9, Duration: time.Second},
			members: []int{3, 3, 3}, budgets: []int{0, 0, 0}, senders: 0, wantPlanned: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.RoomPrefix = "r"
			p, err := makePlan(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i, room := range p.rooms {
				if room.members != tt.members[i] || room.budget != tt.budgets[i] {
					t.Errorf("room %d: members %d budget %d, want %d and %d", i, room.members, room.budget, tt.members[i], tt.budgets[i])
				}
				if want := "r" + string(rune('0'+i)); room.name != want {
					t.Errorf("room %d named %q, want %q", i, room.name, want)
				}
			}
			if len(p.senders) != tt.senders {
				t.Fatalf("%d senders planned, want %d", len(p.senders), tt.senders)
			}
			for j, sp := range p.senders {
				if sp.interval != tt.interval {
					t.Errorf("sender %d interval %v, want %v", j, sp.interval, tt.interval)
				}
				if sp.phase < 0 || sp.phase >= sp.interval {
					t.Errorf("sender %d phase %v outside [0, %v)", j, sp.phase, sp.interval)
				}
				if sp.sock != j || p.sockets[sp.sock] != sp.room {
					t.Errorf("sender %d: socket %d joins room %d, plan says room %d", j, sp.sock, p.sockets[sp.sock], sp.room)
				}
			}
			if got := p.planned(); got != tt.wantPlanned {
				t.Errorf("planned %d, want %d", got, tt.wantPlanned)
			}
		})
	}
}

func TestMakePlanBoundsTracking(t *testing.T) {
	cfg := Config{Rooms: 1, RoomPrefix: "r", Viewers: 20000, Senders: 1, Rate: 100000, Duration: time.Hour}
	if _, err := makePlan(cfg); err == nil || !strings.Contains(err.Error(), "MiB") {
		t.Fatalf("makePlan(%d sockets × %.0f comments) = %v, want a tracking-memory error", cfg.Sockets(), cfg.Rate*3600, err)
	}
}

func TestExpectedDeliveries(t *testing.T) {
	tests := []struct {
		name     string
		accepted []int64
		stable   []int
		want     int64
	}{
		{"no rooms", nil, nil, 0},
		{"one room, senders included in stable", []int64{4000}, []int{5001}, 20_004_000},
		{"many rooms", []int64{100, 100, 0}, []int{51, 50, 50}, 10_100},
		{"a room whose sockets all dropped", []int64{7, 9}, []int{0, 3}, 27},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := expectedDeliveries(tt.accepted, tt.stable); got != tt.want {
				t.Errorf("expectedDeliveries(%v, %v) = %d, want %d", tt.accepted, tt.stable, got, tt.want)
			}
		})
	}
}
