package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// outgoing is one message for the publisher: a room envelope (stamped
// with the room's last seq first when stamp is set) or a raw payload for
// a channel.
type outgoing struct {
	env     *envelope
	stamp   bool
	channel string
	payload []byte
}

// enqueue hands o to the publisher without blocking: when the queue is
// full (Redis far behind or down), o is dropped, and other nodes find its
// comments in the store instead.
func (b *Broker) enqueue(o outgoing) error {
	select {
	case b.out <- o:
		return nil
	default:
		return errors.New("cluster: the publish queue is full; other nodes will read the store")
	}
}

// publishBatch is the most messages one pipeline sends.
const publishBatch = 256

// publish sends queued messages to Redis, in order, pipelining whatever
// has queued up since the last round trip.
func (b *Broker) publish() {
	defer b.wg.Done()
	batch := make([]outgoing, 0, publishBatch)
	for {
		batch = batch[:0]
		select {
		case <-b.stop:
			return
		case o := <-b.out:
			batch = append(batch, o)
		}
	more:
		for len(batch) < publishBatch {
			select {
			case o := <-b.out:
				batch = append(batch, o)
			default:
				break more
			}
		}
		b.send(batch)
	}
}

func (b *Broker) send(batch []outgoing) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	pipe := b.opts.Redis.Pipeline()
	for _, o := range batch {
		if o.env == nil {
			pipe.Publish(ctx, o.channel, o.payload)
			continue
		}
		if o.stamp {
			b.stampAndDeliver(o.env)
		}
		pipe.Publish(ctx, b.roomChannel(o.env.Room), o.env.encode())
	}
	if _, err := pipe.Exec(ctx); err != nil {
		// Lost for the other nodes' live path only: their room checks
		// read the store.
		b.log.Debug("cluster: publishing to redis failed", "messages", len(batch), "err", err)
	}
}

// receive reads the subscription: room messages, heartbeats, bus events.
// A subscription confirmed again after a reconnect resyncs its room from
// the store, since whatever was published meanwhile is lost.
func (b *Broker) receive() {
	defer b.wg.Done()
	ctx := context.Background()
	roomPrefix := b.roomChannel("")
	for {
		msg, err := b.pubsub.ReceiveTimeout(ctx, b.opts.NodeTTL/3)
		select {
		case <-b.stop:
			return
		default:
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Quiet: make sure the connection is still there.
				pctx, cancel := context.WithTimeout(ctx, time.Second)
				if perr := b.pubsub.Ping(pctx); perr != nil {
					b.down(perr)
				}
				cancel()
				continue
			}
			b.down(err)
			select {
			case <-b.stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		if !b.up.Swap(true) {
			b.log.Info("cluster: connected to redis")
			if b.wasUp && b.opts.OnReconnect != nil {
				go b.opts.OnReconnect()
			}
			b.wasUp = true
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" && strings.HasPrefix(m.Channel, roomPrefix) {
				if rs := b.room(strings.TrimPrefix(m.Channel, roomPrefix)); rs != nil {
					go b.recheck(rs)
				}
			}
		case *redis.Message:
			switch {
			case strings.HasPrefix(m.Channel, roomPrefix):
				b.receiveRoom(m.Payload)
			case m.Channel == b.nodesChannel():
				b.presence.receive(m.Payload)
			case m.Channel == b.busChannel():
				b.bus.receive(b, m.Payload)
			}
		}
	}
}

// down notes that the subscriber lost Redis.
func (b *Broker) down(err error) {
	if b.up.Swap(false) {
		b.log.Warn("cluster: lost redis; other nodes' comments now arrive by reading the database", "err", err)
	}
}

// recheck reads a room's last seq after its subscription (re)started.
func (b *Broker) recheck(rs *roomState) {
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.StoreTimeout)
	defer cancel()
	rs.check(ctx)
}

// Connect opens a Redis client for url (redis://host:port/N) with short
// timeouts, so that a Redis outage never holds a node up for long. The
// client library's own messages (one per failed dial while Redis is down)
// go to slog's default logger at debug level: the broker says once that
// Redis is gone and once that it is back.
func Connect(url string) (*redis.Client, error) {
	quietOnce.Do(func() { redis.SetLogger(debugLog{}) })
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	opt.DialTimeout = time.Second
	opt.ReadTimeout = time.Second
	opt.WriteTimeout = time.Second
	opt.MaxRetries = 1
	return redis.NewClient(opt), nil
}

var quietOnce sync.Once

// debugLog is go-redis's logger on slog, at debug level.
type debugLog struct{}

func (debugLog) Printf(ctx context.Context, format string, v ...any) {
	slog.Default().DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
