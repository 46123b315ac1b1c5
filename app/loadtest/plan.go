package loadtest

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// maxTrackingBytes bounds the per-socket delivery bitsets (sockets × comments in their room).
const maxTrackingBytes = 1 << 30

// plan is the static shape of a run: who joins which room and who sends what.
type plan struct {
	rooms   []roomPlan
	sockets []int // room index of each socket; senders come first
	senders []senderPlan
}

// roomPlan is one room's name, membership and comment budget.
type roomPlan struct {
	name    string
	members int // sockets (viewers and senders) in the room
	senders int
	budget  int // most comments the room's senders will send; bounds sequence numbers
}

// senderPlan is one sender's socket, room, pace and budget.
type senderPlan struct {
	sock     int // index into plan.sockets
	room     int
	interval time.Duration // time between its comments
	phase    time.Duration // offset of its first comment, so senders do not fire in lockstep
	budget   int
}

// makePlan lays sockets and senders round-robin over the rooms and splits the
// rate evenly: Rate over all senders, or RoomRate over each room's senders.
func makePlan(c Config) (plan, error) {
	p := plan{rooms: make([]roomPlan, c.Rooms), sockets: make([]int, c.Sockets())}
	for r := range p.rooms {
		p.rooms[r].name = c.RoomPrefix + strconv.Itoa(r)
	}
	for i := range p.sockets {
		r := i % c.Rooms
		if i >= c.Senders {
			r = (i - c.Senders) % c.Rooms
		} else {
			p.rooms[r].senders++
		}
		p.sockets[i] = r
		p.rooms[r].members++
	}
	for j := range c.Senders {
		r := j % c.Rooms
		rate := c.Rate / float64(c.Senders)
		if c.RoomRate > 0 {
			rate = c.RoomRate / float64(p.rooms[r].senders)
		}
		if rate <= 0 || c.Duration <= 0 {
			continue
		}
		sp := senderPlan{sock: j, room: r, budget: int(math.Ceil(rate * c.Duration.Seconds()))}
		sp.interval = time.Duration(float64(time.Second) / rate)
		sp.phase = time.Duration(float64(sp.interval) * float64(j) / float64(c.Senders))
		p.senders = append(p.senders, sp)
		p.rooms[r].budget += sp.budget
	}
	var bits int64
	for _, r := range p.sockets {
		bits += int64(p.rooms[r].budget)
	}
	if bits/8 > maxTrackingBytes {
		return plan{}, fmt.Errorf("tracking %d sockets × their rooms' comments needs %d MiB (limit %d MiB): lower the rate, duration or sockets",
			len(p.sockets), bits/8>>20, maxTrackingBytes>>20)
	}
	return p, nil
}

// planned is the number of comments the schedule calls for.
func (p plan) planned() int64 {
	var n int64
	for _, r := range p.rooms {
		n += int64(r.budget)
	}
	return n
}

// expectedDeliveries is Σ over rooms of accepted comments × sockets that stayed
// connected for the whole run: every accepted comment reaches each of them once.
func expectedDeliveries(accepted []int64, stable []int) int64 {
	var n int64
	for r := range accepted {
		n += accepted[r] * int64(stable[r])
	}
	return n
}
