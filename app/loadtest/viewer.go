package loadtest

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// socket is one client connection. Fields below "reader-owned" are touched
// only by its reader goroutine until that goroutine has exited.
type socket struct {
	idx, room int
	conn      *websocket.Conn
	joined    atomic.Bool
	delivered atomic.Int64 // first receipts of this run's comments, for progress
	// unacked holds a token per comment sent and not yet answered (json
	// mode): the server refuses a socket's comments past maxUnacked.
	unacked chan struct{}

	// reader-owned
	seen      bitset // comment seqs received, indexed by the room's sequence
	dups      int64
	crossRoom int64 // this run's comments from another room
	bogus     int64 // this run's IDs with a sequence never sent
	foreign   int64 // comments not from this run (history, other clients)
	malformed int64
	lastRecv  int64 // unix nanos of the last first-time delivery
	err       error // why the socket dropped before the run ended
	frame     serverFrame
}

// framePool lends frame buffers to readers for one frame at a time, so memory
// follows the number of readers running, not the number of sockets times the
// largest batch each has ever seen.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// read is the socket's reader goroutine: one frame at a time into a reused buffer.
func (r *run) read(s *socket) {
	defer r.readers.Done()
	for {
		_, rd, err := s.conn.NextReader()
		if err == nil {
			err = r.handle(s, rd)
		}
		if err != nil {
			if !r.stopping.Load() {
				s.err = err
				r.dropped.Add(1)
			}
			return
		}
	}
}

// handle reads one frame into a pooled buffer and accounts for it.
func (r *run) handle(s *socket, rd io.Reader) error {
	bp := framePool.Get().(*[]byte)
	defer framePool.Put(bp)
	buf, err := readAll(rd, (*bp)[:0])
	*bp = buf
	if err != nil {
		return err
	}
	now := time.Now().UnixNano()
	if r.cfg.Mode == ModeRaw {
		r.onRaw(s, buf, now)
	} else {
		r.onJSON(s, buf, now)
		clear(s.frame.texts) // let the buffer go back to the pool unreferenced
	}
	return nil
}

// readAll appends the rest of rd to buf, growing it only when a frame is larger than any before.
func readAll(rd io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func (r *run) onRaw(s *socket, b []byte, now int64) {
	if bytes.HasPrefix(b, []byte(syncWord)) {
		if bytes.Equal(b, r.sync) { // another run's barrier proves nothing about this one
			r.markJoined(s)
		}
		return
	}
	r.receive(s, b, now)
}

func (r *run) onJSON(s *socket, b []byte, now int64) {
	f := &s.frame
	if err := parseFrame(b, f); err != nil {
		s.malformed++
		return
	}
	switch string(f.typ) {
	case "comments":
		for _, text := range f.texts {
			if t, ok := bytes.CutPrefix(text, []byte(jsonTextPrefix)); ok {
				r.receive(s, t, now)
			} else {
				s.foreign++
			}
		}
	case "welcome":
		r.markJoined(s)
	case "ack":
		r.onAck(f)
		s.answered()
	case "error":
		if r.onError(f) {
			s.answered()
		}
	}
}

// answered frees the slot of a comment the server has answered.
func (s *socket) answered() {
	select {
	case <-s.unacked:
	default:
	}
}

// receive accounts for one comment text "<id> <unixnano>" arriving at s.
func (r *run) receive(s *socket, text []byte, now int64) {
	st, ok := parseStamp(text, r.id)
	switch {
	case !ok:
		s.foreign++
	case st.room != s.room:
		s.crossRoom++
	case st.seq >= r.plan.rooms[s.room].budget:
		s.bogus++
	case s.seen.testAndSet(st.seq):
		s.dups++
	default:
		s.delivered.Add(1)
		s.lastRecv = now
		r.latency.record(s.idx, uint64(max(now-st.sentNano, 0)))
	}
}

// markJoined counts s as joined once; the last one opens the start gate.
func (r *run) markJoined(s *socket) {
	if s.joined.CompareAndSwap(false, true) && r.unjoined.Add(-1) == 0 {
		close(r.allJoined)
	}
}
