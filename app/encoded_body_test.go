package app_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"
)

// TestEncodedJSONBodiesAreRefused sends a gzip bomb where JSON is
// expected: it must be refused, never inflated.
func TestEncodedJSONBodiesAreRefused(t *testing.T) {
	s := startServer(t)
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte(`{"text":"zipped","pad":"`))
	zw.Write(bytes.Repeat([]byte(" "), 32<<20)) // 32 MiB inflated, 32 KiB sent
	zw.Write([]byte(`"}`))
	zw.Close()
	for path, hc := range map[string]*http.Client{"/api/rooms/demo/comments": httpClient(t), "/api/rooms": moderatorClient(t, s)} {
		resp, body := fetch(t, hc, "POST", s.URL()+path,
			http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}, bomb.Bytes())
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "JSON bodies must not be encoded") {
			t.Fatalf("POST %s: %d %s, want 400", path, resp.StatusCode, body)
		}
	}
	if hasText(replay(t, s, httpClient(t), "demo"), "zipped") {
		t.Fatal("the encoded comment was stored")
	}
}
