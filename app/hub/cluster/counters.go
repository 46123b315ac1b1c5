package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/danmaku/danmaku/plugins"
)

// takeScript is a token bucket as GCRA: the key holds the bucket's
// theoretical arrival time in ms. KEYS[1]; ARGV: now ms, ms per token,
// tolerance ms (the burst less one token), consume (1 or 0). It returns 0
// when a token was there, else the ms until one is.
var takeScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local step = tonumber(ARGV[2])
local tau = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - now - tau
if wait > 0 then return math.ceil(wait) end
if ARGV[4] == '1' then
  local nxt = tat + step
  redis.call('SET', KEYS[1], tostring(nxt), 'PX', math.ceil(nxt - now) + 1)
end
return 0
`)

// errDown answers the counters' callers at once while Redis is down, so
// that they fall back to their own without waiting for a timeout.
var errDown = errors.New("cluster: redis is down")

// counters are plugins.Counters in Redis.
type counters struct{ b *Broker }

var _ plugins.Counters = counters{}

// Counters returns the cluster's shared rate counters, or nil without Redis.
func (b *Broker) Counters() plugins.Counters {
	if b.opts.Redis == nil {
		return nil
	}
	return counters{b}
}

func (c counters) key(k string) string { return c.b.opts.Prefix + "rl:" + k }

func (c counters) check() error {
	if !c.b.up.Load() {
		return errDown
	}
	return nil
}

// Take implements plugins.Counters.
func (c counters) Take(ctx context.Context, key string, n int, per time.Duration, consume bool) (time.Duration, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	step := float64(per.Milliseconds()) / float64(n)
	tau := step * float64(n-1)
	flag := "0"
	if consume {
		flag = "1"
	}
	ms, err := takeScript.Run(ctx, c.b.opts.Redis, []string{c.key(key)}, time.Now().UnixMilli(), step, tau, flag).Int64()
	if err != nil {
		return 0, err
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// Held implements plugins.Counters.
func (c counters) Held(ctx context.Context, key string) (time.Duration, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	d, err := c.b.opts.Redis.PTTL(ctx, c.key(key)).Result()
	if err != nil {
		return 0, err
	}
	return max(d, 0), nil
}

// Hold implements plugins.Counters.
func (c counters) Hold(ctx context.Context, key string, d time.Duration) error {
	if err := c.check(); err != nil {
		return err
	}
	return c.b.opts.Redis.Set(ctx, c.key(key), 1, d).Err()
}
