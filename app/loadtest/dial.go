package loadtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync"

	"github.com/gorilla/websocket"
)

// maxFrame bounds what one server frame may make a reader buffer.
const maxFrame = 1 << 20

// dialers holds one gorilla Dialer per source address (or one with none),
// and the servers' URLs: socket i goes to server i mod len(bases).
type dialers struct {
	ds     []*websocket.Dialer
	header http.Header
	bases  []url.URL
	wire   string // the v query parameter, "" for none
}

// newDialers builds the dialers. Read buffers are per socket (4 KiB lets one
// read syscall pick up many queued frames); write buffers come from a shared
// pool because most sockets never write.
func newDialers(c Config) *dialers {
	d := &dialers{header: http.Header{}}
	for _, addr := range c.addrs() {
		d.bases = append(d.bases, url.URL{Scheme: "ws", Host: addr, Path: c.Path})
	}
	if c.Mode == ModeJSON && c.Wire != 1 {
		d.wire = strconv.Itoa(c.Wire)
	}
	if c.Token != "" {
		d.header.Set("Authorization", "Bearer "+c.Token)
	}
	pool := &sync.Pool{}
	sources := c.Sources
	if len(sources) == 0 {
		sources = []netip.Addr{{}}
	}
	for _, src := range sources {
		nd := &net.Dialer{Timeout: c.DialTimeout}
		if src.IsValid() {
			nd.LocalAddr = &net.TCPAddr{IP: src.AsSlice()}
		}
		d.ds = append(d.ds, &websocket.Dialer{
			NetDialContext:   nd.DialContext,
			HandshakeTimeout: c.DialTimeout,
			ReadBufferSize:   4096,
			WriteBufferSize:  1024,
			WriteBufferPool:  pool,
		})
	}
	return d
}

// dial opens socket i into room, from source i mod len(sources), to
// server i mod len(bases): a cluster's nodes share the room's sockets.
func (d *dialers) dial(ctx context.Context, i int, room string) (*websocket.Conn, error) {
	u := d.bases[i%len(d.bases)]
	q := url.Values{"room": {room}}
	if d.wire != "" {
		q.Set("v", d.wire)
	}
	u.RawQuery = q.Encode()
	conn, resp, err := d.ds[i%len(d.ds)].DialContext(ctx, u.String(), d.header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("%s: HTTP %s: %w", u.Path, resp.Status, err)
		}
		return nil, err
	}
	conn.SetReadLimit(maxFrame)
	return conn, nil
}

// checkTarget refuses non-loopback targets and sources unless allowRemote:
// a load tool should not flood a real host because of a typo.
func checkTarget(ctx context.Context, c Config) error {
	if c.AllowRemote {
		return nil
	}
	for _, addr := range c.addrs() {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("addr %q: %w", addr, err)
		}
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return fmt.Errorf("addr %q: %w", addr, err)
		}
		for _, a := range ips {
			if !a.IsLoopback() {
				return fmt.Errorf("addr %q resolves to %s, which is not loopback; set AllowRemote (-allow-remote) to target it", addr, a)
			}
		}
	}
	for _, s := range c.Sources {
		if !s.IsLoopback() {
			return fmt.Errorf("source %s is not a loopback address", s)
		}
	}
	return nil
}
