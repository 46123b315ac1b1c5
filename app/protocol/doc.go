// Package protocol defines the JSON wire format shared by the WebSocket and
// REST APIs: the frames clients send, the frames the server sends, the
// comment object, and the validation every incoming comment passes.
//
// docs/protocol.md documents the same format with examples; keep them in step.
package protocol
