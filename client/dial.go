package client

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// dialWS is d.DialContext that also gives up when ctx is cancelled during
// the handshake: gorilla applies only ctx's deadline once the TCP
// connection is up, so a server that accepts and never answers would hold
// a cancelled Dial for the whole handshake timeout.
func dialWS(ctx context.Context, d *websocket.Dialer, url string, header http.Header) (*websocket.Conn, *http.Response, error) {
	var (
		mu  sync.Mutex
		raw []net.Conn // the connections dialed for this handshake
	)
	track := func(dial func(context.Context, string, string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
		return func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dial(ctx, network, addr)
			if err == nil {
				mu.Lock()
				raw = append(raw, conn)
				mu.Unlock()
			}
			return conn, err
		}
	}
	dd := *d
	switch {
	case dd.NetDialContext != nil:
		dd.NetDialContext = track(dd.NetDialContext)
	case dd.NetDial != nil:
		netDial := dd.NetDial
		dd.NetDial = nil
		dd.NetDialContext = track(func(_ context.Context, network, addr string) (net.Conn, error) { return netDial(network, addr) })
	default:
		dd.NetDialContext = track((&net.Dialer{}).DialContext)
	}
	if dd.NetDialTLSContext != nil {
		dd.NetDialTLSContext = track(dd.NetDialTLSContext)
	}
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range raw {
			_ = c.SetDeadline(time.Unix(1, 0)) // fails the handshake's read or write at once
		}
	})
	conn, resp, err := dd.DialContext(ctx, url, header)
	if !stop() { // cancelled: whatever came back is unusable
		if conn != nil {
			_ = conn.Close()
		}
		return nil, nil, ctx.Err()
	}
	return conn, resp, err
}
