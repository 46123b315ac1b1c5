package socket

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// The bridge from fasthttp to melody. Fiber's net/http adaptor kept, per
// socket, a goroutine waiting for the hijacked connection to close, and
// with it fasthttp's request state (the RequestCtx, its 4 KiB reader) for
// the socket's life. Here the handler takes the connection with fasthttp's
// own Hijack (the server runs with KeepHijackedConns, so the connection is
// ours once the hijack handler returns), and melody gets a minimal
// http.ResponseWriter and http.Hijacker over the bare connection, on a
// goroutine of its own that becomes the socket's read pump. fasthttp
// releases the request as soon as the hijack handler returns.

// hijack ends the handshake's HTTP life: once the handler returns, fasthttp
// sends nothing and calls serve with the connection. The request melody's
// upgrader reads is copied out first, since c is recycled.
func hijack(c *fiber.Ctx, serve func(net.Conn, *http.Request)) {
	r := handshakeRequest(c)
	ctx := c.Context()
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(hj net.Conn) {
		// fasthttp's wrapper reads through its request reader; the client
		// may send nothing before the handshake's answer (RFC 6455 §4.1),
		// so the bare connection has everything still to come.
		raw := hj
		if u, ok := hj.(interface{ UnsafeConn() net.Conn }); ok {
			raw = u.UnsafeConn()
		}
		go serve(raw, r)
	})
}

// handshakeRequest copies what the upgrader and the origin check read of
// c's request: method, host, path and headers.
func handshakeRequest(c *fiber.Ctx) *http.Request {
	h := make(http.Header, 12)
	for k, v := range c.Request().Header.All() {
		h.Add(string(k), string(v))
	}
	return &http.Request{
		Method: c.Method(), Host: string(c.Request().Host()), Header: h,
		URL:   &url.URL{Path: c.Path()},
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		RemoteAddr: c.Context().RemoteAddr().String(),
	}
}

// handshakeWriter is the http.ResponseWriter melody's upgrader answers
// through. The upgrader hijacks it for the 101; before that it only ever
// writes a refusal (http.Error), which goes to the connection as a bare
// HTTP/1.1 response that closes it.
type handshakeWriter struct {
	raw    net.Conn // the connection fasthttp handed over
	header http.Header
	status int
	wrote  bool
	conn   *socketConn // set by Hijack: the socket's connection, to cut it
}

func newHandshakeWriter(raw net.Conn) *handshakeWriter {
	return &handshakeWriter{raw: raw, header: http.Header{}}
}

// Header implements http.ResponseWriter.
func (w *handshakeWriter) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

// WriteHeader implements http.ResponseWriter.
func (w *handshakeWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

// Write implements http.ResponseWriter: the refusal's status line and
// headers, then p; the connection closes after it (serve closes it).
func (w *handshakeWriter) Write(p []byte) (int, error) {
	if w.conn != nil {
		return 0, http.ErrHijacked
	}
	if !w.wrote {
		w.wrote = true
		if w.status == 0 {
			w.status = http.StatusOK
		}
		head := []byte("HTTP/1.1 " + strconv.Itoa(w.status) + " " + http.StatusText(w.status) + "\r\n")
		w.header.Set("Connection", "close")
		for k, vs := range w.header {
			for _, v := range vs {
				head = append(head, k+": "+v+"\r\n"...)
			}
		}
		head = append(head, "\r\n"...)
		if _, err := w.raw.Write(head); err != nil {
			return 0, err
		}
	}
	return w.raw.Write(p)
}

// Hijack implements http.Hijacker: the upgrader gets a socketConn over the
// bare connection. The buffers are the handshake's only: the upgrader
// checks the reader is empty and writes the 101 through the writer's
// buffer, then reads and writes with its own (sized in New).
func (w *handshakeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.conn != nil || w.wrote {
		return nil, nil, errors.New("socket: connection already answered")
	}
	cc := &socketConn{Conn: w.raw}
	cc.tcp, _ = w.raw.(tcpConn)
	w.conn = cc
	// The upgrader holds the response headers it writes with the 101; the
	// socket keeps w (to cut it), so w lets go of them.
	w.header = nil
	return cc, bufio.NewReadWriter(bufio.NewReaderSize(cc, 16), bufio.NewWriterSize(cc, 512)), nil
}
