package hub_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/metrics"
	"github.com/danmaku/danmaku/app/protocol"
)

// counter is the cheapest Member: it only counts, so the benchmark times the
// hub's own fan-out (one shared frame, per-member dedup, no per-viewer work).
type counter struct{ n atomic.Int64 }

func (c *counter) Send([]byte) { c.n.Add(1) }

// counterV2 is a counter that speaks wire v2.
type counterV2 struct{ counter }

func (*counterV2) WireVersion() protocol.Version { return protocol.V2 }

// BenchmarkFanOut publishes a batch of comments to a room and flushes it:
// one encoding per op, one Send per viewer. ns/delivery is per comment per viewer.
//
//	go test -run XXX -bench BenchmarkFanOut -benchmem ./app/hub/
func BenchmarkFanOut(b *testing.B) { benchFanOut(b, nil, 0) }

// BenchmarkFanOutWire is BenchmarkFanOut with every member on wire v1,
// every member on v2, and half on each (two encodings per frame).
//
//	go test -run XXX -bench BenchmarkFanOutWire -count 6 ./app/hub/
func BenchmarkFanOutWire(b *testing.B) {
	for _, mix := range []struct {
		name string
		v2   float64 // share of members on v2
	}{{"v1", 0}, {"v2", 1}, {"half", 0.5}} {
		b.Run(mix.name, func(b *testing.B) { benchFanOut(b, nil, mix.v2) })
	}
}

// BenchmarkFanOutMetrics is BenchmarkFanOut with the server's Prometheus
// observer attached, to show what counting the frames costs.
func BenchmarkFanOutMetrics(b *testing.B) { benchFanOut(b, metrics.New(metrics.Sources{}), 0) }

// benchFanOut runs the fan-out with share v2 of the members on wire v2.
func benchFanOut(b *testing.B, obs hub.Observer, v2 float64) {
	for _, tc := range []struct{ viewers, batch int }{{5000, 1}, {5000, 10}, {50, 1}} {
		b.Run(fmt.Sprintf("viewers=%d/batch=%d", tc.viewers, tc.batch), func(b *testing.B) {
			opts := busy()
			opts.Observer = obs
			h := hub.New(opts)
			defer h.Close()
			members := make([]hub.Member, tc.viewers)
			for i := range members {
				members[i] = &counter{}
				if float64(i) < v2*float64(tc.viewers) {
					members[i] = &counterV2{}
				}
				s, _, err := h.Join("room", members[i])
				if err != nil {
					b.Fatal(err)
				}
				s.Release(0)
			}
			h.Flush()
			items := comments("room", seqRange(1, int64(tc.batch))...)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				for j := range items {
					items[j].Seq = int64(i*tc.batch + j + 1)
				}
				h.PublishComments(context.Background(), items)
				h.Flush()
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tc.viewers*tc.batch), "ns/delivery")
		})
	}
}
