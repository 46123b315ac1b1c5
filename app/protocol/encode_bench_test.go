package protocol_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

func benchComments(n int) []protocol.Comment {
	items := make([]protocol.Comment, n)
	for i := range items {
		items[i] = protocol.Comment{
			ID: int64(1000 + i), Room: "demo", Seq: int64(100 + i), Time: protocol.Seconds(12340 + i),
			Text: "前方高能 this is a comment", Mode: "scroll", Color: "#ffffff", Size: "medium",
			User: protocol.User{ID: "g-4f2a9c01d3e5b6a7", Name: "guest-4f2a"}, Weight: 5,
			// Comments of one batch were stored within moments of each other.
			CreatedAt: protocol.TimestampOf(time.Date(2026, 11, 26, 4, 28, 42, 939e6, time.UTC).Add(time.Duration(i) * 7 * time.Millisecond)),
		}
	}
	return items
}

// BenchmarkEncodeComments is the cost of one comments frame in each wire
// version, side by side; the hub pays it once per room, version and flush,
// whatever the number of viewers.
//
//	go test -run XXX -bench BenchmarkEncodeComments -count 6 ./app/protocol/
func BenchmarkEncodeComments(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		items := benchComments(n)
		for _, v := range []protocol.Version{protocol.V1, protocol.V2} {
			b.Run(fmt.Sprintf("items=%d/v=%d", n, v), func(b *testing.B) {
				b.ReportAllocs()
				var size int
				for b.Loop() {
					size = len(protocol.EncodeCommentsAs(v, "demo", items))
				}
				b.ReportMetric(float64(size)/float64(n), "bytes/item")
			})
		}
	}
}

// BenchmarkEncodeAck is the cost of the ack every stored comment gets.
func BenchmarkEncodeAck(b *testing.B) {
	c := benchComments(1)[0]
	b.ReportAllocs()
	for b.Loop() {
		protocol.Encode(protocol.Ack{Type: protocol.TypeAck, Ref: "c1", OK: true, Comment: &c})
	}
}
