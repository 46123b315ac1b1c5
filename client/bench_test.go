package client

import (
	"context"
	"encoding/json"
	"testing"
)

// commentsFrame is the load tool's captured three-item batch
// (app/loadtest/frame_test.go), so BenchmarkReadCommentsFrame compares
// with its BenchmarkParseFrameBatch.
const commentsFrame = `{"type":"comments","room":"lt0","items":[` +
	`{"id":1,"seq":101,"room":"lt0","time":1.5,"text":"lt 0a1b2c3d-0-5 1700000000000000001","mode":"scroll","color":"#ffffff","size":"medium","user":{"id":"u1","name":"a \"quoted\" name"},"created_at":"2026-01-02T03:04:05.000Z","likes":0},` +
	`{"id":2,"seq":102,"room":"lt0","time":2,"text":"lt 0a1b2c3d-0-6 1700000000000000002","mode":"top","color":"#ff0000","size":"small","user":{"id":"u2","name":"弹幕"},"created_at":"2026-01-02T03:04:06Z","likes":3},` +
	`{"id":3,"seq":103,"room":"lt0","time":2.25,"text":"hello [world] {x}","mode":"scroll","color":"#ffffff","size":"large","user":{"id":"u3","name":"z"},"created_at":"2026-01-02T03:04:07Z","likes":0}]}`

// BenchmarkReadCommentsFrame is what the client spends on one comments
// frame between the socket and Events: decoding, de-duplication, queueing.
func BenchmarkReadCommentsFrame(b *testing.B) {
	c := &Client{opts: defaultOptions(), queue: newEventQueue(1), rooms: map[string]*room{"lt0": {name: "lt0"}}}
	c.ctx = context.Background()
	s := &session{c: c}
	frame := []byte(commentsFrame)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		c.rooms["lt0"].known = false
		var f serverFrame
		if err := json.Unmarshal(frame, &f); err != nil {
			b.Fatal(err)
		}
		c.handle(s, &f)
		if ev, ok := c.queue.pop(); !ok || len(ev.(Comments).Items) != 3 {
			b.Fatalf("delivered %v", ev)
		}
	}
}
