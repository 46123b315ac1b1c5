package app_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

// TestClusterDelivery spreads one room's sockets over three nodes, with
// senders on every node: every socket gets every comment once, in seq
// order, and the stored seqs have no gap.
func TestClusterDelivery(t *testing.T) {
	cl := startCluster(t, 3)
	createRoom(t, cl.nodes[0], "live", "live")
	// inFlight is how many comments a socket may have awaiting their acks.
	const perNode, sends, inFlight = 3, 40, 8
	var viewers []*wsClient
	for i, n := range cl.nodes {
		for range perNode {
			c := dial(t, n, "")
			if w := c.join("live"); w.LastSeq != 0 {
				t.Fatalf("%s: welcome last_seq %d, want 0", nodeName(i), w.LastSeq)
			}
			viewers = append(viewers, c)
		}
	}
	// A sender on each node (in the room too), all sending at once, each
	// with as many comments in flight as a socket may have.
	var wg sync.WaitGroup
	for i, n := range cl.nodes {
		sender := dial(t, n, "?room=live")
		sender.next(protocol.TypeWelcome)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range sends {
				if k >= inFlight {
					if ack := sender.ack(); !ack.OK {
						t.Errorf("%s: comment refused: %+v", nodeName(i), ack.Error)
					}
				}
				sender.send(map[string]any{"type": "comment", "ref": fmt.Sprint(k), "text": fmt.Sprintf("%d-%d", i, k), "time": 1})
			}
		}()
	}
	total := int64(len(cl.nodes) * sends)
	for i, c := range viewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			collect(t, c, fmt.Sprintf("%s socket %d", nodeName(i/perNode), i%perNode), 0, total)
		}()
	}
	wg.Wait()
	stored := afterSeq(t, cl.nodes[2], "live", 0)
	if int64(len(stored)) != total {
		t.Fatalf("stored %d comments, want %d", len(stored), total)
	}
	for i, c := range stored {
		if c.Seq != int64(i+1) {
			t.Fatalf("stored seq %d at %d: a gap", c.Seq, i)
		}
	}
	for i, c := range viewers {
		noMoreComments(t, c, nodeName(i/perNode), 300*time.Millisecond)
	}
}
