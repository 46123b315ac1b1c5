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
// the next request message by message, passes it on up to and including
// its Sync (which has the server run and, outside a transaction, commit
// it), and then closes the client's side only: the server finishes the
// request while the client never hears how it went. The connection is
// idle when a test sets cut, so the next read starts a message.
func (p *proxy) relayRequests(c, s net.Conn) {
	buf := make([]byte, 64<<10)
	var msg []byte // the request so far, while cutting
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if !p.cut.Load() && msg == nil {
				if _, werr := s.Write(buf[:n]); werr != nil {
					c.Close()
					return
				}
			} else if msg = append(msg, buf[:n]...); syncEnd(msg) > 0 {
				_, _ = s.Write(msg[:syncEnd(msg)])
				p.cut.Store(false)
				c.Close()
				p.cutten <- struct{}{}
				return
			}
		}
		if err != nil {
			s.Close()
			return
		}
	}
}

// syncEnd is the length of the messages in b up to and including the
// first Sync ('S'), or 0 when b holds none yet. Each message is a type
// byte and a length that counts itself.
func syncEnd(b []byte) int {
	for i := 0; i+5 <= len(b); {
		end := i + 1 + int(binary.BigEndian.Uint32(b[i+1:i+5]))
		if end > len(b) {
			return 0
		}
		if b[i] == 'S' {
			return end
		}
		i = end
	}
	return 0
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
