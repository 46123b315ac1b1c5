// Package web holds the checks for the browser side of Danmaku. The ES
// modules under assets/js are unit-tested with Node's built-in test runner,
// and the Go tests here run those tests, so `go test ./...` covers them. The
// browser tests drive headless Chromium with chromedp: module checks on
// static pages (testdata/browser), and the real server's pages in scenarios
// with several viewers, reloads, replays and restarts.
package web
