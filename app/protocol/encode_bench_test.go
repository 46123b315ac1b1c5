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
			User:      protocol.User{ID: "g-4f2a9c01d3e5b6a7", Name: "guest-4f2a"},
			CreatedAt: protocol.TimestampOf(time.Date(2026, 11, 26, 4, 28, 42, 939e6, time.UTC)),
		}
	}
	return items
}

// BenchmarkEncodeComments is the cost of one comments frame; the hub pays it
// once per room per flush, whatever the number of viewers.
func BenchmarkEncodeComments(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		items := benchComments(n)
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				size = len(protocol.EncodeComments("demo", items))
			}
			b.ReportMetric(float64(size)/float64(n), "bytes/item")
		})
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
