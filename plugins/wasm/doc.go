// Package wasm is the `wasm` moderation plugin: it runs a WebAssembly
// module, written in any language that compiles to WebAssembly, inside
// the server with wazero (pure Go, no cgo).
//
// The module speaks ABI version 1 (package abi; docs/plugins.md has the
// contract). It is sandboxed: no filesystem, network, environment or real
// clock; its memory is capped; every call has a deadline that interrupts
// it, infinite loops included. A trap, a panic, running out of memory or
// a timeout is a plugin failure that the entry's on_error decides, and the
// failed instance is replaced. The module is compiled once when the chain
// is built (so a reload picks up a changed file) and a pool of instances
// serves concurrent calls.
package wasm
