package loadtest

import (
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// RegisterFlags defines the load tool's flags on fs, starting from
// DefaultConfig, and returns the Config they fill when fs is parsed.
func RegisterFlags(fs *flag.FlagSet) *Config {
	c := DefaultConfig()
	fs.StringVar(&c.Addr, "addr", c.Addr, "server host:port, or a cluster's nodes comma-separated (host:port,host:port,…): sockets are spread round them")
	fs.StringVar(&c.Path, "path", c.Path, "WebSocket path")
	fs.Func("mode", "protocol: json (the product) or raw (bare relay baseline) (default json)", func(s string) error {
		if m := Mode(s); m == ModeJSON || m == ModeRaw {
			c.Mode = m
			return nil
		}
		return fmt.Errorf("want json or raw, got %q", s)
	})
	fs.IntVar(&c.Wire, "wire", c.Wire, "json mode's wire version: 2 (compact comments frames, as browsers speak) or 1")
	fs.StringVar(&c.Token, "token", c.Token, "send Authorization: Bearer TOKEN")
	fs.BoolVar(&c.AllowRemote, "allow-remote", c.AllowRemote, "allow a non-loopback -addr")
	fs.IntVar(&c.Rooms, "rooms", c.Rooms, "number of rooms")
	fs.StringVar(&c.RoomPrefix, "room-prefix", c.RoomPrefix, "room IDs are this prefix + index")
	fs.IntVar(&c.Viewers, "viewers", c.Viewers, "passive sockets, spread over the rooms")
	fs.IntVar(&c.Senders, "senders", c.Senders, "sockets that also post comments, spread over the rooms")
	fs.Func("rate", fmt.Sprintf("comments per second over all rooms; replaces -room-rate (default %g)", c.Rate), func(s string) error {
		return setRate(s, &c.Rate, &c.RoomRate)
	})
	fs.Func("room-rate", "comments per second in each room; replaces -rate", func(s string) error {
		return setRate(s, &c.RoomRate, &c.Rate)
	})
	fs.DurationVar(&c.Duration, "duration", c.Duration, "how long to send")
	fs.DurationVar(&c.Drain, "drain", c.Drain, "longest wait for stragglers after sending")
	fs.Var((*sourcesValue)(&c.Sources), "sources", "local source addresses: a list (127.0.0.1,127.0.0.2) or a count N for 127.0.0.1..127.0.0.N")
	fs.IntVar(&c.Dials, "dials", c.Dials, "dials in flight while connecting")
	fs.DurationVar(&c.DialTimeout, "dial-timeout", c.DialTimeout, "per-socket connect and handshake timeout")
	fs.DurationVar(&c.JoinTimeout, "join-timeout", c.JoinTimeout, "wait for all sockets to join after connecting")
	fs.Float64Var(&c.Churn, "churn", c.Churn, "extra sockets per second that join, stay about -churn-hold and leave while sending (reconnect churn; not counted in delivery; a dial that fails on the network is tried again)")
	fs.DurationVar(&c.ChurnHold, "churn-hold", c.ChurnHold, "how long a churning socket stays, give or take half")
	fs.IntVar(&c.PID, "pid", c.PID, "server PID to sample CPU and memory from /proc (0: none)")
	fs.BoolVar(&c.JSON, "json", c.JSON, "print the report as JSON")
	return &c
}

// setRate sets one rate and clears the other, so the last of -rate/-room-rate wins.
func setRate(s string, set, clear *float64) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return fmt.Errorf("want a non-negative number, got %q", s)
	}
	*set, *clear = v, 0
	return nil
}

// sourcesValue parses -sources.
type sourcesValue []netip.Addr

func (v *sourcesValue) String() string {
	if v == nil {
		return ""
	}
	parts := make([]string, len(*v))
	for i, a := range *v {
		parts[i] = a.String()
	}
	return strings.Join(parts, ",")
}

func (v *sourcesValue) Set(s string) error {
	addrs, err := parseSources(s)
	if err != nil {
		return err
	}
	*v = addrs
	return nil
}

// parseSources accepts "N" (127.0.0.1 … 127.0.0.N) or a comma-separated list.
func parseSources(s string) ([]netip.Addr, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 254 {
			return nil, fmt.Errorf("source count %d: want 1..254", n)
		}
		addrs := make([]netip.Addr, n)
		for i := range addrs {
			addrs[i] = netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)})
		}
		return addrs, nil
	}
	var addrs []netip.Addr
	for part := range strings.SplitSeq(s, ",") {
		a, err := netip.ParseAddr(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", part, err)
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}
