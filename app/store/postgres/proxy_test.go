package postgres_test

import (
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// proxy relays TCP connections to a PostgreSQL server, so that a test can
// break them the way a network or a crashed server does.
type proxy struct {
	ln     net.Listener
	target string
	down   atomic.Bool // refuse connections and close the open ones
	cut    atomic.Bool // pass the next request on, then drop its connection unanswered
	cutten chan struct{}

	mu    sync.Mutex
	conns []net.Conn
}

// newProxy relays to the server of database url and returns the proxy
// and url through it. It stops when the test ends.
func newProxy(t *testing.T, dbURL string) (*proxy, string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: u.Host, cutten: make(chan struct{}, 1)}
	t.Cleanup(func() {
		ln.Close()
		p.closeAll()
	})
	go p.serve()
	u.Host = ln.Addr().String()
	return p, u.String()
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go p.relayRequests(c, s)
		go func() {
			_, _ = io.Copy(c, s)
			c.Close()
		}()
	}
}

// relayRequests passes the client's bytes on. Once cut is set, it reads
// the client's messages one by one and passes them on up to and including
// the first Sync after an Execute (which has the server run the request
// and, outside a transaction, commit it), then closes the client's side
// only: the server finishes the request while the client never hears how
// it went. A round that only prepares statements (no Execute) passes. The
// connection is idle when a test sets cut, so the next read starts a
// message.
func (p *proxy) relayRequests(c, s net.Conn) {
	buf := make([]byte, 64<<10)
	var pending []byte // unforwarded bytes, while cutting
	executed := false
	for {
		n, err := c.Read(buf)
		if n > 0 && !p.cut.Load() && pending == nil {
			if _, werr := s.Write(buf[:n]); werr != nil {
				c.Close()
				return
			}
		} else if n > 0 {
			pending = append(pending, buf[:n]...)
			for {
				typ, size, ok := nextMessage(pending)
				if !ok {
					break
				}
				_, _ = s.Write(pending[:size])
				pending = pending[size:]
				executed = executed || typ == 'E'
				if typ == 'S' && executed {
					p.cut.Store(false)
					c.Close()
					p.cutten <- struct{}{}
					return
				}
			}
		}
		if err != nil {
			s.Close()
			return
		}
	}
}

// nextMessage is the type and length of the first whole message in b, a
// type byte and a length that counts itself; ok is false until b holds it.
func nextMessage(b []byte) (typ byte, size int, ok bool) {
	if len(b) < 5 {
		return 0, 0, false
	}
	size = 1 + int(binary.BigEndian.Uint32(b[1:5]))
	return b[0], size, size <= len(b)
}

// setDown refuses new connections and closes the open ones, as a stopped
// server does; setDown(false) lets connections through again.
func (p *proxy) setDown(down bool) {
	p.down.Store(down)
	if down {
		p.closeAll()
	}
}

func (p *proxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
