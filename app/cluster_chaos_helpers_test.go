package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app/protocol"
)

// roamer is a viewer that, when its node goes away, joins the room on the
// next node with since= its last seq, as the browser client does. It
// records every seq it receives and every gap or duplicate.
type roamer struct {
	name  string
	bases []string // the nodes' base URLs, http://host:port
	room  string

	mu         sync.Mutex
	conn       *websocket.Conn
	last       int64
	faults     []string
	reconnects int
	changed    chan struct{}

	stopped atomic.Bool
	done    chan struct{}
}

func startRoamer(t *testing.T, name, room string, bases []string, first int) *roamer {
	t.Helper()
	r := &roamer{name: name, bases: bases, room: room, changed: make(chan struct{}, 1), done: make(chan struct{})}
	joined := make(chan struct{})
	go r.run(first, joined)
	t.Cleanup(func() { r.stop() })
	select {
	case <-joined:
	case <-time.After(waitFor):
		t.Fatalf("%s did not join within %v", name, waitFor)
	}
	return r
}

func (r *roamer) run(node int, joined chan struct{}) {
	defer close(r.done)
	once := sync.OnceFunc(func() { close(joined) })
	defer once()
	for !r.stopped.Load() {
		r.mu.Lock()
		since := r.last
		r.mu.Unlock()
		url := "ws" + strings.TrimPrefix(r.bases[node%len(r.bases)], "http") + fmt.Sprintf("/ws?room=%s&since=%d", r.room, since)
		conn, _, err := (&websocket.Dialer{HandshakeTimeout: 2 * time.Second}).Dial(url, nil)
		if err != nil {
			node++
			time.Sleep(50 * time.Millisecond) // the next node, after a breath
			continue
		}
		r.mu.Lock()
		r.conn = conn
		r.mu.Unlock()
		r.read(conn, once)
		conn.Close()
		if !r.stopped.Load() {
			r.mu.Lock()
			r.reconnects++
			r.mu.Unlock()
			node++
		}
	}
}

// read records comments until the connection ends.
func (r *roamer) read(conn *websocket.Conn, joined func()) {
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var f frame
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		switch f.Type {
		case protocol.TypeWelcome:
			joined()
		case protocol.TypeComments:
			r.mu.Lock()
			for _, it := range f.Items {
				if it.Seq != r.last+1 && len(r.faults) < 10 {
					r.faults = append(r.faults, fmt.Sprintf("seq %d after %d", it.Seq, r.last))
				}
				r.last = max(r.last, it.Seq)
			}
			r.mu.Unlock()
			select {
			case r.changed <- struct{}{}:
			default:
			}
		}
	}
}

// waitFor waits until the roamer has every seq up to last.
func (r *roamer) waitFor(t *testing.T, last int64) {
	t.Helper()
	deadline := time.After(2 * waitFor)
	for {
		r.mu.Lock()
		got := r.last
		r.mu.Unlock()
		if got >= last {
			return
		}
		select {
		case <-r.changed:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("%s: has seqs up to %d, want %d", r.name, got, last)
		}
	}
}

// stop ends the roamer and returns its faults (gaps, duplicates).
func (r *roamer) stop() []string {
	if r.stopped.Swap(true) {
		<-r.done
		return nil
	}
	r.mu.Lock()
	if r.conn != nil {
		r.conn.Close()
	}
	r.mu.Unlock()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.faults
}

// restSender posts comments over REST round the nodes until stopped,
// moving to the next node when one fails, and counts what was acked.
type restSender struct {
	acked   atomic.Int64
	failed  atomic.Int64
	codes   sync.Map // error code → true, for errors the server answered
	stopped atomic.Bool
	done    chan struct{}
}

func startSender(t *testing.T, room string, bases []string, first int, every time.Duration) *restSender {
	s := &restSender{done: make(chan struct{})}
	hc := &http.Client{Timeout: 3 * time.Second}
	go func() {
		defer close(s.done)
		node := first
		for i := 0; !s.stopped.Load(); i++ {
			body := strings.NewReader(fmt.Sprintf(`{"text":"c%d-%d","time":1}`, first, i))
			resp, err := hc.Post(bases[node%len(bases)]+"/api/rooms/"+room+"/comments", "application/json", body)
			switch {
			case err != nil:
				s.failed.Add(1)
				node++
			case resp.StatusCode == http.StatusCreated:
				s.acked.Add(1)
			default:
				var e apiError
				_ = json.NewDecoder(resp.Body).Decode(&e)
				s.codes.Store(e.Error.Code, true)
				s.failed.Add(1)
			}
			if resp != nil {
				resp.Body.Close()
			}
			time.Sleep(every)
		}
	}()
	return s
}

func (s *restSender) stop() {
	s.stopped.Store(true)
	<-s.done
}

// lastSeq reads a room's last_seq over REST from base.
func lastSeq(t *testing.T, base, room string) int64 {
	t.Helper()
	var r struct {
		LastSeq int64 `json:"last_seq"`
	}
	if st := call(t, httpClient(t), "GET", base+"/api/rooms/"+room, nil, &r); st != http.StatusOK {
		t.Fatalf("GET room on %s: %d", base, st)
	}
	return r.LastSeq
}
