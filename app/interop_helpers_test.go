package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
)

// fetch does a request with the given headers and returns the response
// (body already read) and its body.
func fetch(t *testing.T, hc *http.Client, method, url string, header http.Header, body []byte) (*http.Response, string) {
	t.Helper()
	resp, data := apptest.Fetch(t, hc, method, url, header, bytes.NewReader(body))
	return resp, string(data)
}

// multipartFile is a multipart form with file in the field named field.
func multipartFile(t *testing.T, field, name string, file []byte) (http.Header, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := part.Write(file); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return http.Header{"Content-Type": {w.FormDataContentType()}}, buf.Bytes()
}

// postAs posts a comment over REST as id and returns it.
func postAs(t *testing.T, s *testServer, id auth.Identity, room string, in map[string]any) protocol.Comment {
	t.Helper()
	var c protocol.Comment
	if status := call(t, clientAs(t, s, id), "POST", s.URL()+"/api/rooms/"+room+"/comments", in, &c); status != http.StatusCreated {
		t.Fatalf("posting %v: status %d", in, status)
	}
	return c
}
