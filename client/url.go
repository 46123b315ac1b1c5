package client

import (
	"fmt"
	"net/url"
	"strings"
)

// endpoints are the two URLs a client uses: the WebSocket and the REST base.
type endpoints struct {
	ws   url.URL // ws:// or wss://, path /ws by default
	rest url.URL // http:// or https://, the server's root (before /api)
}

// parseEndpoints accepts a WebSocket URL (ws://host/ws), a server URL
// (http://host:8080, which means its /ws) or a bare host:port.
func parseEndpoints(raw string) (endpoints, error) {
	if !strings.Contains(raw, "://") {
		raw = "ws://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return endpoints{}, fmt.Errorf("client: bad server URL %q: %w", raw, err)
	}
	var e endpoints
	switch u.Scheme {
	case "ws", "http":
		e.ws.Scheme, e.rest.Scheme = "ws", "http"
	case "wss", "https":
		e.ws.Scheme, e.rest.Scheme = "wss", "https"
	default:
		return endpoints{}, fmt.Errorf("client: server URL %q: scheme must be ws, wss, http or https", raw)
	}
	if u.Host == "" {
		return endpoints{}, fmt.Errorf("client: server URL %q has no host", raw)
	}
	q := u.Query()
	for _, k := range []string{"room", "since", "token"} {
		if q.Has(k) {
			return endpoints{}, fmt.Errorf("client: server URL %q: pass %s with Join or WithToken, not in the URL", raw, k)
		}
	}
	path := strings.TrimSuffix(u.Path, "/")
	if !strings.HasSuffix(path, "/ws") {
		path += "/ws"
	}
	e.ws.Host, e.ws.Path, e.ws.RawQuery = u.Host, path, u.RawQuery
	e.rest.Host, e.rest.Path = u.Host, strings.TrimSuffix(path, "/ws")
	return e, nil
}

// roomCommentsURL is GET /api/rooms/:id/comments?after_seq=…&limit=….
func (e endpoints) roomCommentsURL(room string, afterSeq int64, limit int) string {
	u := e.rest
	u.Path += "/api/rooms/" + room + "/comments" // room ids need no escaping
	u.RawQuery = url.Values{"after_seq": {fmt.Sprint(afterSeq)}, "limit": {fmt.Sprint(limit)}}.Encode()
	return u.String()
}
