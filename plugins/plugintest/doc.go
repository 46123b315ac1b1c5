// Package plugintest helps test moderation plugins: a fake host with a
// manual clock and an in-memory block store, constructors that configure a
// plugin from YAML like the server does, and table runners that assert
// verdicts and rewrites for a plugin ([Run]) or a whole chain ([RunChain]).
package plugintest
