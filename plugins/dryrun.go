package plugins

import "log/slog"

// EntryMode is how an entry's verdicts are used.
type EntryMode string

// The entry modes.
const (
	// ModeEnforce applies the plugin's verdicts (the default).
	ModeEnforce EntryMode = "enforce"
	// ModeDryRun logs and counts what the plugin would have done and lets
	// the comment go on unchanged: a new rule can be trialled during a
	// live event. Failures do not apply on_error either.
	ModeDryRun EntryMode = "dry_run"
)

// dry counts and logs what a dry-run entry would have done; the flow
// goes on as if it had allowed the comment.
func (e *entry) dry(st *runState, o *outcome) {
	if o.timedOut || o.err != nil || o.v.Action == ActionAllow || o.v.Action > ActionShadow {
		return // failures are counted and logged by record; allows are not news
	}
	e.stats.would[o.v.Action].Add(1)
	e.log.Info("dry run: the plugin's verdict is not enforced",
		slog.String("plugin", e.name), slog.Int("index", e.index), slog.String("room", st.c.Room),
		slog.String("user", st.c.User.ID), slog.String("would", o.v.Action.String()), slog.String("reason", o.v.Reason))
}
