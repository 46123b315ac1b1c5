// Package abi holds the names and numbers of Danmaku's WebAssembly plugin
// ABI, version 1, shared by the host (package wasm) and the Go guest kit
// (package guest). docs/plugins.md describes the ABI for every language;
// this package imports nothing, so a guest can use it on GOOS=wasip1.
package abi

// Version is the ABI version this host speaks; a module's
// danmaku_abi_version export must return it.
const Version = 1

// ImportModule is the module name of the host functions a plugin imports.
const ImportModule = "danmaku"

// The functions a module exports.
const (
	// ExportMemory is the module's linear memory; the host reads and writes
	// the buffers the guest names in it.
	ExportMemory = "memory"
	// ExportVersion is `danmaku_abi_version() -> i32`; it must return Version.
	ExportVersion = "danmaku_abi_version"
	// ExportInit is the optional `danmaku_init() -> i32`, called once per
	// instance before its first comment: 0 accepts the settings, anything
	// else refuses them with the reason set by set_reason.
	ExportInit = "danmaku_init"
	// ExportModerate is `danmaku_moderate() -> i32`, called per comment; it
	// returns an action code.
	ExportModerate = "danmaku_moderate"
	// ExportReactorInit is WASI's `_initialize`, which reactor modules
	// (Go's -buildmode=c-shared, for one) export to set up their runtime.
	ExportReactorInit = "_initialize"
)

// The functions the host offers in module "danmaku". Buffers are
// (pointer, length) pairs in the module's memory; text is UTF-8.
const (
	// ImportCommentField is `comment_field(field, buf, cap i32) -> i32`:
	// copies up to cap bytes of a field into buf and returns the field's
	// full length (-1 for an unknown field), so a guest retries with a
	// larger buffer when the answer exceeds cap.
	ImportCommentField = "comment_field"
	// ImportCommentRead is `comment_read(buf, cap i32) -> i32`: the whole
	// comment in one call, as a record (see the Record* constants), written
	// like comment_field: up to cap bytes, returning the record's length.
	ImportCommentRead = "comment_read"
	// ImportCommentTime is `comment_time() -> f64`: seconds into the video.
	ImportCommentTime = "comment_time"
	// ImportMetadataGet is `metadata_get(key, key_len, buf, cap i32) -> i32`:
	// like comment_field for one metadata value; -1 when the key is absent.
	ImportMetadataGet = "metadata_get"
	// ImportSetting is `setting(key, key_len, buf, cap i32) -> i32`: one
	// setting from the entry's `settings` block as text (strings as they
	// are, numbers and booleans as written, lists and maps as JSON); -1
	// when absent.
	ImportSetting = "setting"
	// ImportSettingsJSON is `settings_json(buf, cap i32) -> i32`: every
	// setting as one JSON object.
	ImportSettingsJSON = "settings_json"
	// ImportSetReason is `set_reason(ptr, len i32)`: the verdict's reason
	// (or, in danmaku_init, why the settings are refused).
	ImportSetReason = "set_reason"
	// ImportSetField is `set_field(field, ptr, len i32)`: a rewrite's new
	// value of FieldText, FieldMode, FieldColor or FieldSize.
	ImportSetField = "set_field"
	// ImportSetTime is `set_time(seconds f64)`: a rewrite's new time.
	ImportSetTime = "set_time"
	// ImportSetMetadata is `set_metadata(key, key_len, val, val_len i32)`:
	// a rewrite sets one metadata value.
	ImportSetMetadata = "set_metadata"
	// ImportLog is `log(level, ptr, len i32)`: a line for the server's log
	// at a log/slog level (-4 debug, 0 info, 4 warn, 8 error).
	ImportLog = "log"
)

// The comment fields, by number.
const (
	FieldRoom         = 1 // room (video) id
	FieldUserID       = 2 // author's id; empty for anonymous users
	FieldUserName     = 3 // author's display name
	FieldUserRoles    = 4 // author's roles, one per line
	FieldText         = 5 // the text
	FieldMode         = 6 // scroll, top or bottom
	FieldColor        = 7 // #rrggbb
	FieldSize         = 8 // small, medium or large
	FieldMetadataKeys = 9 // metadata keys, one per line, sorted
)

// The comment_read record, all integers little-endian: the time as an
// f64; then the fields FieldRoom to FieldSize in order, each a u32 byte
// length and the bytes; then a u32 count of metadata entries, each a u32
// key length, the key, a u32 value length and the value, sorted by key.
const (
	RecordFirstField = FieldRoom // the first field in a record
	RecordLastField  = FieldSize // the last field in a record
)

// The action codes danmaku_moderate returns.
const (
	ActionAllow   = 0 // pass unchanged
	ActionRewrite = 1 // pass with the fields set by set_field, set_time, set_metadata
	ActionReject  = 2 // drop; the sender is told the reason
	ActionHold    = 3 // keep for a moderator; the sender is told the reason
	ActionShadow  = 4 // show to the sender only
)

// Limits the host enforces on what a guest hands back; beyond them the
// call fails.
const (
	MaxReason = 1024     // bytes of a reason
	MaxField  = 64 << 10 // bytes of a rewritten field or metadata value
	MaxLog    = 4096     // bytes of a log line (longer lines are cut)
)
