package hub_test

import (
	"errors"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/hub"
)

// gatedBroker is a MemoryBroker whose Subscribe to a gated room waits
// until its gate opens (as the cluster broker's reads of a slow store
// do), then fails with err if one is set.
type gatedBroker struct {
	*hub.MemoryBroker
	gated   string
	entered chan struct{} // gets a value as a gated Subscribe starts waiting
	gate    chan struct{}
	err     error
}

func (b *gatedBroker) Subscribe(room string, deliver func(hub.Message)) (func(), error) {
	if room == b.gated {
		b.entered <- struct{}{}
		<-b.gate
		if b.err != nil {
			return nil, b.err
		}
	}
	return b.MemoryBroker.Subscribe(room, deliver)
}

// TestASlowSubscribeHoldsOnlyItsRoom: while the first join of a room
// waits for the broker, joins of other rooms go on; the room's other
// joins wait for the same subscription (one Subscribe per room), and a
// refused subscription fails its joins and leaves no room behind.
func TestASlowSubscribeHoldsOnlyItsRoom(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"the subscription is made", nil},
		{"the broker refuses", errors.New("store down")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &gatedBroker{MemoryBroker: hub.NewMemoryBroker(), gated: "slow", entered: make(chan struct{}, 2), gate: make(chan struct{}), err: tc.err}
			h := newHub(t, hub.Options{Broker: b})
			type result struct {
				s   *hub.Subscription
				err error
			}
			results := make(chan result, 2)
			joinSlow := func() {
				s, _, err := h.Join("slow", newRecorder())
				results <- result{s, err}
			}
			go joinSlow()
			select {
			case <-b.entered:
			case <-time.After(waitFor):
				t.Fatal("the first join of the room never subscribed")
			}
			go joinSlow()
			// The gate is shut: this join completes without the slow room.
			joined := make(chan result, 1)
			go func() {
				s, _, err := h.Join("other", newRecorder())
				joined <- result{s, err}
			}()
			select {
			case other := <-joined:
				if other.err != nil {
					t.Fatalf("joining the other room: %v", other.err)
				}
				other.s.Release(0)
			case <-time.After(waitFor):
				t.Fatal("a join of another room waited for the slow room's subscription")
			}
			if h.Viewers("other") != 1 {
				t.Fatalf("viewers of the other room = %d, want 1", h.Viewers("other"))
			}
			select {
			case r := <-results:
				t.Fatalf("a join of the slow room returned before its subscription: %+v", r)
			default:
			}
			close(b.gate)
			for range 2 {
				select {
				case r := <-results:
					if (r.err != nil) != (tc.err != nil) {
						t.Fatalf("join: %v, want error %v", r.err, tc.err)
					}
					if r.s != nil {
						r.s.Release(0)
					}
				case <-time.After(waitFor):
					t.Fatal("a join of the slow room never returned")
				}
			}
			want := 0
			if tc.err == nil {
				want = 2
				select {
				case <-b.entered:
					t.Fatal("the room subscribed twice")
				default:
				}
			}
			// (A refused room is dropped: a join that comes after the
			// refusal subscribes anew, and is refused again.)
			if v := h.Viewers("slow"); v != want {
				t.Errorf("viewers of the slow room = %d, want %d", v, want)
			}
		})
	}
}
