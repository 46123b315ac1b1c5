// Package cluster is the hub's Broker for several nodes on one database:
// each node delivers a room's comments to its own viewers in seq order,
// exactly once, whichever node committed them. Batches travel over Redis
// pub/sub (one publish per room per batch, with its seq range); a batch
// that arrives ahead of a gap waits a moment for the gap to close, then
// the gap is filled from the store, and each room's last seq is read now
// and then to catch a tail whose publish was lost. Without Redis (or
// while it is down) the store reads alone carry comments between nodes.
//
// The package also carries the cluster's viewer counts (Counter) and a
// bus for node-wide events (the moderators' feed, ban changes, plugin
// reloads). It knows nothing of storage beyond the small Store interface.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/protocol"
)

// Store is what the broker reads to fill gaps and find lost tails.
type Store interface {
	// CommentsAfter returns a room's visible comments with seq > after,
	// in seq order, at most limit of them.
	CommentsAfter(ctx context.Context, room string, after int64, limit int) ([]protocol.Comment, error)
	// LastSeq returns the last seq a room's comments took.
	LastSeq(ctx context.Context, room string) (int64, error)
}

// Options configure a Broker.
type Options struct {
	// Redis carries messages between nodes; nil: none, other nodes'
	// comments arrive by reading the store every PollEvery. The broker
	// closes it.
	Redis *redis.Client
	Store Store
	Node  string // this node's id in messages; default: random
	// Prefix starts every Redis channel name. Default "danmaku:".
	Prefix string
	// GapWait is how long a batch that arrived ahead of a gap waits for
	// it to close before the gap is read from the store. Default 100ms.
	GapWait time.Duration
	// CheckEvery is how often each room's last seq is read while Redis is
	// up, to catch a tail whose publish was lost. Default 1s.
	CheckEvery time.Duration
	// PollEvery is how often it is read without Redis or while Redis is
	// down: then it is how other nodes' comments arrive. Default 250ms.
	PollEvery time.Duration
	// NodeTTL is how long a node's viewers count after its last
	// heartbeat (sent every NodeTTL/3). Default 3s.
	NodeTTL time.Duration
	// StoreTimeout bounds one store read. Default 2s.
	StoreTimeout time.Duration
	// OnReconnect, when set, runs (on a goroutine of its own) each time
	// the subscriber gets Redis back after losing it: bus events sent
	// meanwhile are lost, so what they carry (the ban list) is read again.
	OnReconnect func()
	Logger      *slog.Logger
}

// Broker is a hub.Broker and hub.Counter over Redis and the store.
type Broker struct {
	opts Options
	log  *slog.Logger

	mu    sync.Mutex
	rooms map[string]*roomState

	pubsub *redis.PubSub // nil without Redis
	up     atomic.Bool   // the subscriber connection works
	wasUp  bool          // it has worked before; the receiver's own
	out    chan outgoing
	filled atomic.Int64 // comments read from the store to fill gaps

	presence *presence
	bus      bus

	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// roomState is one room's place in its seq stream on this node.
type roomState struct {
	b  *Broker
	id string

	mu      sync.Mutex
	subs    map[*func(hub.Message)]func(hub.Message)
	next    int64       // the next seq to deliver; 0 until the start is read
	held    []*envelope // arrived ahead of a gap, in arrival order
	target  int64       // the last seq the store says exists
	timer   *time.Timer // the gap timer
	timerOn bool
	filling bool
	closed  bool
}

var (
	_ hub.Broker  = (*Broker)(nil)
	_ hub.Counter = (*Broker)(nil)
)

// New starts a Broker: with Redis, its subscriber, publisher and
// heartbeat; always, the room checks.
func New(opts Options) (*Broker, error) {
	if opts.Store == nil {
		return nil, errors.New("cluster: a store is needed")
	}
	if opts.Node == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		opts.Node = hex.EncodeToString(b[:])
	}
	if opts.Prefix == "" {
		opts.Prefix = "danmaku:"
	}
	opts.GapWait = orDefault(opts.GapWait, 100*time.Millisecond)
	opts.CheckEvery = orDefault(opts.CheckEvery, time.Second)
	opts.PollEvery = orDefault(opts.PollEvery, 250*time.Millisecond)
	opts.NodeTTL = orDefault(opts.NodeTTL, 3*time.Second)
	opts.StoreTimeout = orDefault(opts.StoreTimeout, 2*time.Second)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	b := &Broker{
		opts: opts, log: opts.Logger, rooms: map[string]*roomState{},
		out: make(chan outgoing, 8192), stop: make(chan struct{}),
	}
	b.presence = newPresence(b)
	b.bus.handlers = map[string]func([]byte){}
	if opts.Redis != nil {
		b.pubsub = opts.Redis.Subscribe(context.Background(), b.busChannel(), b.nodesChannel())
		b.wg.Add(3)
		go b.receive()
		go b.publish()
		go b.presence.run()
	}
	b.wg.Add(1)
	go b.checkRooms()
	return b, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Node returns this node's id.
func (b *Broker) Node() string { return b.opts.Node }

// Ready reports whether cross-node delivery runs over Redis: nil when it
// does or when there is no Redis, else why not (then it runs over the
// store, slower).
func (b *Broker) Ready() error {
	if b.pubsub == nil || b.up.Load() {
		return nil
	}
	return errors.New("redis is not connected: other nodes' comments arrive by reading the database")
}

// Filled returns how many comments were read from the store to fill gaps.
func (b *Broker) Filled() int64 { return b.filled.Load() }

func (b *Broker) roomChannel(room string) string { return b.opts.Prefix + "room:" + room }
func (b *Broker) busChannel() string             { return b.opts.Prefix + "bus" }
func (b *Broker) nodesChannel() string           { return b.opts.Prefix + "nodes" }

// Subscribe implements hub.Broker. The first subscriber of a room reads
// where the room's stream stands (its last seq) and subscribes to its
// channel; everything after that point is delivered, in order.
func (b *Broker) Subscribe(room string, deliver func(hub.Message)) (func(), error) {
	key := &deliver
	b.mu.Lock()
	rs := b.rooms[room]
	fresh := rs == nil
	if fresh {
		rs = &roomState{b: b, id: room, subs: map[*func(hub.Message)]func(hub.Message){}}
		b.rooms[room] = rs
	}
	rs.mu.Lock()
	rs.subs[key] = deliver
	rs.mu.Unlock()
	b.mu.Unlock()
	if fresh {
		if err := b.start(rs); err != nil {
			b.unsubscribe(rs, key)
			return nil, err
		}
	}
	var once sync.Once
	return func() { once.Do(func() { b.unsubscribe(rs, key) }) }, nil
}

// start subscribes to the room's channel, then reads its last seq: what
// commits after the read arrives on the channel (or, if its publish came
// before the subscription took, is filled as a gap).
func (b *Broker) start(rs *roomState) error {
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.StoreTimeout)
	defer cancel()
	if b.pubsub != nil {
		if err := b.pubsub.Subscribe(ctx, b.roomChannel(rs.id)); err != nil {
			// Subscribed again when Redis is back; the store covers meanwhile.
			b.log.Warn("cluster: subscribing to a room failed", "room", rs.id, "err", err)
		}
	}
	last, err := b.opts.Store.LastSeq(ctx, rs.id)
	if err != nil {
		return err
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.next = last + 1
	rs.drainLocked()
	return nil
}

func (b *Broker) unsubscribe(rs *roomState, key *func(hub.Message)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	rs.mu.Lock()
	delete(rs.subs, key)
	empty := len(rs.subs) == 0
	if empty {
		rs.closed = true
		if rs.timer != nil {
			rs.timer.Stop()
		}
	}
	rs.mu.Unlock()
	if !empty || b.rooms[rs.id] != rs {
		return
	}
	delete(b.rooms, rs.id)
	if b.pubsub != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = b.pubsub.Unsubscribe(ctx, b.roomChannel(rs.id))
	}
}

// room returns the room's state on this node, or nil when it has no viewers here.
func (b *Broker) room(id string) *roomState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rooms[id]
}

// delivered returns the last seq this node delivered of a room (0 when
// it has no viewers of it here).
func (b *Broker) delivered(id string) int64 {
	rs := b.room(id)
	if rs == nil {
		return 0
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return max(rs.next-1, 0)
}

// Publish implements hub.Broker: this node's viewers get msg at once (in
// its place in the stream), and it is queued for the other nodes. A
// retraction or weights frame is first stamped with the room's last seq
// from the store, so that it never overtakes its comment anywhere.
func (b *Broker) Publish(_ context.Context, msg hub.Message) error {
	if msg.Presence {
		return nil // counts travel with the heartbeats
	}
	e := envelopeOf(b.opts.Node, msg)
	if msg.Data != nil && msg.User == "" && b.pubsub != nil {
		return b.enqueue(outgoing{env: e, stamp: true})
	}
	if !e.ordered() {
		e.After = b.delivered(msg.Room)
	}
	if rs := b.room(msg.Room); rs != nil {
		rs.handle(e)
	}
	if b.pubsub == nil {
		return nil
	}
	return b.enqueue(outgoing{env: e})
}

// stampAndDeliver reads the room's last seq into e.After and delivers e
// to this node's viewers; on the publisher's goroutine, so stamped
// messages keep their order.
func (b *Broker) stampAndDeliver(e *envelope) {
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.StoreTimeout)
	last, err := b.opts.Store.LastSeq(ctx, e.Room)
	cancel()
	if err != nil {
		last = b.delivered(e.Room)
	}
	e.After = last
	if rs := b.room(e.Room); rs != nil {
		rs.handle(e)
	}
}

// receive handles a room message from another node.
func (b *Broker) receiveRoom(payload string) {
	e, err := decodeEnvelope([]byte(payload))
	if err != nil {
		b.log.Warn("cluster: a room message could not be read", "err", err)
		return
	}
	if e.Node == b.opts.Node {
		return // delivered here when published
	}
	if rs := b.room(e.Room); rs != nil {
		rs.handle(e)
	}
}

// checkRooms reads every room's last seq now and then: every CheckEvery
// while Redis is up, every PollEvery without it.
func (b *Broker) checkRooms() {
	defer b.wg.Done()
	lastFull := time.Now()
	t := time.NewTicker(b.opts.PollEvery)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
		}
		if b.pubsub != nil && b.up.Load() && time.Since(lastFull) < b.opts.CheckEvery {
			continue
		}
		lastFull = time.Now()
		b.resync()
	}
}

// resync checks every room this node has viewers in.
func (b *Broker) resync() {
	b.mu.Lock()
	rooms := make([]*roomState, 0, len(b.rooms))
	for _, rs := range b.rooms {
		rooms = append(rooms, rs)
	}
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.StoreTimeout)
	defer cancel()
	for _, rs := range rooms {
		rs.check(ctx)
	}
}

// Close implements hub.Broker: it stops the loops, tells the other nodes
// this node's viewers are gone, and closes the subscription.
func (b *Broker) Close() error {
	b.closeOnce.Do(func() {
		close(b.stop)
		if b.pubsub != nil {
			b.presence.leave()
			_ = b.pubsub.Close()
		}
		b.wg.Wait()
		if b.opts.Redis != nil {
			_ = b.opts.Redis.Close()
		}
		b.mu.Lock()
		for _, rs := range b.rooms {
			rs.mu.Lock()
			rs.closed = true
			if rs.timer != nil {
				rs.timer.Stop()
			}
			rs.mu.Unlock()
		}
		b.rooms = map[string]*roomState{}
		b.mu.Unlock()
	})
	return nil
}
