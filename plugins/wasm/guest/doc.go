// Package guest is the Go kit for writing Danmaku moderation plugins as
// WebAssembly modules. A plugin is a main package that registers its
// functions in init and is built with the stock toolchain:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o shout.wasm .
//
// The kit implements ABI version 1 (see package abi and docs/plugins.md):
// it exports danmaku_abi_version, danmaku_init and danmaku_moderate,
// reads the comment and settings through the host's imports and hands
// the verdict back. Everything but the imports and exports also builds
// for the machine you develop on, so a plugin's logic is tested with a
// plain `go test`.
package guest
