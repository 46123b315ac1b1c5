// Package loadtest drives many WebSocket clients against a danmaku server
// (json mode) or the bare-melody baseline (raw mode) and reports delivery,
// loss, duplicates, latency, and the server's CPU per delivered comment.
package loadtest

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Mode selects the wire protocol.
type Mode string

// The protocols the tool speaks.
const (
	// ModeJSON is the product protocol: JSON frames, acks, batched deliveries.
	ModeJSON Mode = "json"
	// ModeRaw is the baseline protocol: raw text frames relayed as-is, no acks.
	ModeRaw Mode = "raw"
)

// Config describes one load run. The zero value of an optional field takes
// the default noted beside it (see DefaultConfig).
type Config struct {
	Addr        string        // server host:port, or several comma-separated (a cluster's nodes, sockets spread round them); required (DefaultConfig: the server's default)
	Path        string        // WebSocket path; default "/ws"
	Mode        Mode          // json (default) or raw
	Wire        int           // json mode's wire version, 1 or 2 (?v=2: compact comments frames); default 2
	Token       string        // sent as "Authorization: Bearer TOKEN" when set
	AllowRemote bool          // permit a non-loopback Addr (off so a typo cannot flood a real host)
	Rooms       int           // rooms R; default 1
	RoomPrefix  string        // room IDs are RoomPrefix + index; default "lt"
	Viewers     int           // passive sockets, spread round-robin over the rooms
	Senders     int           // extra sockets that also post comments, round-robin over the rooms
	Rate        float64       // comments per second over all rooms (exclusive with RoomRate)
	RoomRate    float64       // comments per second in each room (exclusive with Rate)
	Duration    time.Duration // sending time T
	Drain       time.Duration // longest wait for stragglers after sending; default 5s
	Sources     []netip.Addr  // local source addresses, used round-robin; empty lets the kernel pick
	Dials       int           // dials in flight during the ramp; default 200
	DialTimeout time.Duration // per-socket TCP + WebSocket handshake; default 10s
	JoinTimeout time.Duration // wait for every socket to be joined after the ramp; default 30s
	Churn       float64       // extra sockets per second that join, stay about ChurnHold and leave while sending; 0: none
	ChurnHold   time.Duration // how long a churning socket stays; default 2s
	PID         int           // server process to sample from /proc; 0 skips server stats
	JSON        bool          // Main prints the report as JSON instead of text
}

// DefaultConfig returns the defaults RegisterFlags starts from.
func DefaultConfig() Config {
	return Config{
		Addr:        "127.0.0.1:8080", // the server's default listen address
		Path:        "/ws",
		Mode:        ModeJSON,
		Wire:        2,
		Rooms:       1,
		RoomPrefix:  "lt",
		Viewers:     100,
		Senders:     1,
		Rate:        10,
		Duration:    10 * time.Second,
		Drain:       5 * time.Second,
		Dials:       200,
		DialTimeout: 10 * time.Second,
		JoinTimeout: 30 * time.Second,
		ChurnHold:   2 * time.Second,
	}
}

// withDefaults fills zero optional fields, so a literal Config in a test works.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Path == "" {
		c.Path = d.Path
	}
	if c.Mode == "" {
		c.Mode = d.Mode
	}
	if c.Wire == 0 {
		c.Wire = d.Wire
	}
	if c.Rooms == 0 {
		c.Rooms = d.Rooms
	}
	if c.RoomPrefix == "" {
		c.RoomPrefix = d.RoomPrefix
	}
	if c.Drain == 0 {
		c.Drain = d.Drain
	}
	if c.Dials == 0 {
		c.Dials = d.Dials
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = d.DialTimeout
	}
	if c.JoinTimeout == 0 {
		c.JoinTimeout = d.JoinTimeout
	}
	if c.ChurnHold == 0 {
		c.ChurnHold = d.ChurnHold
	}
	return c
}

// Sockets is the number of connections the run opens.
func (c Config) Sockets() int { return c.Viewers + c.Senders }

// validate reports the first thing wrong with c (after withDefaults).
func (c Config) validate() error {
	switch {
	case len(c.addrs()) == 0:
		return errors.New("addr is required")
	case c.Mode != ModeJSON && c.Mode != ModeRaw:
		return fmt.Errorf("mode %q: want json or raw", c.Mode)
	case c.Wire != 1 && c.Wire != 2:
		return fmt.Errorf("wire %d: want 1 or 2", c.Wire)
	case !strings.HasPrefix(c.Path, "/"):
		return fmt.Errorf("path %q must start with /", c.Path)
	case c.Rooms < 1:
		return fmt.Errorf("rooms %d: need at least 1", c.Rooms)
	case c.Viewers < 0 || c.Senders < 0 || c.Sockets() < 1:
		return fmt.Errorf("viewers %d, senders %d: need at least one socket", c.Viewers, c.Senders)
	case c.Rate < 0 || c.RoomRate < 0:
		return errors.New("rates cannot be negative")
	case c.Rate > 0 && c.RoomRate > 0:
		return errors.New("give either a total rate or a per-room rate, not both")
	case (c.Rate > 0 || c.RoomRate > 0) && c.Senders == 0:
		return errors.New("a sending rate needs at least one sender")
	case c.RoomRate > 0 && c.Senders < c.Rooms:
		return fmt.Errorf("a per-room rate needs a sender in every room: %d senders < %d rooms", c.Senders, c.Rooms)
	case c.Churn < 0 || c.ChurnHold < 0:
		return errors.New("churn and churn-hold cannot be negative")
	case c.Duration < 0 || c.Drain < 0:
		return errors.New("duration and drain cannot be negative")
	case c.Dials < 1:
		return fmt.Errorf("dials %d: need at least 1 in flight", c.Dials)
	case !validRoomPrefix(c.RoomPrefix):
		return fmt.Errorf("room prefix %q: use letters, digits, '-' and '_' only", c.RoomPrefix)
	}
	return nil
}

// validRoomPrefix keeps room IDs safe to splice into URLs and JSON unescaped.
func validRoomPrefix(p string) bool {
	for _, r := range p {
		ok := r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// addrs are the servers Addr lists, comma-separated.
func (c Config) addrs() []string {
	var out []string
	for _, a := range strings.Split(c.Addr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
