package app_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
)

// BenchmarkOwnSegmentRequest measures, on a real server, what the player's
// extra request per segment costs a signed-in viewer with no shadowed
// comments (nearly everyone) against the shared segment's revalidation
// (a 304), the two alternated in one loop.
//
//	go test -run XXX -bench BenchmarkOwnSegmentRequest -count 5 ./app/
func BenchmarkOwnSegmentRequest(b *testing.B) {
	s := apptest.Start(b)
	hc := apptest.BearerClient(apptest.Token(b, auth.Identity{ID: "alice", Name: "Alice", Roles: []string{auth.RoleViewer}}, time.Hour))
	shared, own := s.URL()+"/api/rooms/demo/segments/0", s.URL()+"/api/rooms/demo/segments/0/own"
	resp, _ := apptest.Fetch(b, hc, "GET", shared, nil, nil)
	etag := http.Header{"If-None-Match": {resp.Header.Get("ETag")}}
	var inOwn, inShared time.Duration
	for b.Loop() {
		t0 := time.Now()
		if resp, _ := apptest.Fetch(b, hc, "GET", own, nil, nil); resp.StatusCode != http.StatusOK {
			b.Fatalf("own: %d", resp.StatusCode)
		}
		t1 := time.Now()
		if resp, _ := apptest.Fetch(b, hc, "GET", shared, etag, nil); resp.StatusCode != http.StatusNotModified {
			b.Fatalf("shared: %d", resp.StatusCode)
		}
		inOwn, inShared = inOwn+t1.Sub(t0), inShared+time.Since(t1)
	}
	b.ReportMetric(float64(inOwn.Nanoseconds())/float64(b.N), "own-ns/op")
	b.ReportMetric(float64(inShared.Nanoseconds())/float64(b.N), "shared304-ns/op")
	b.ReportMetric(float64(inOwn)/float64(inShared), "own/shared")
}
