// Package plugins is Danmaku's moderation plugin API.
//
// Every incoming comment passes an ordered chain of plugins before it is
// stored and fanned out. A plugin is any type implementing [Moderator]; it
// registers a [Factory] under a name in init (like database/sql drivers),
// and a YAML [Config] names which plugins run, in which order, in which room.
//
// The host (the web server) calls [Pipeline.Moderate] for each comment and
// [Pipeline.Join] when a user enters a room, and maps the [Result] to its own
// storage states and acks. This package imports no web framework so plugins
// stay testable on their own; see package plugintest and docs/plugins.md.
package plugins
