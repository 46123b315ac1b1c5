// Package web holds the checks for the browser side of Danmaku: the ES
// modules under assets/js (overlay renderer, scheduling, settings and the
// live client) are unit-tested with Node's built-in test runner, and the
// Go tests here run those tests so that `go test ./...` covers them too.
package web
