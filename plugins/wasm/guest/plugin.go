package guest

// Plugin is what a module registers: its functions.
type Plugin struct {
	// Init, if set, runs once per instance with the settings, before the
	// first comment; an error refuses the settings and is shown to the
	// operator as a config error.
	Init func(s *Settings) error
	// Moderate decides about one comment. Each instance handles one comment
	// at a time, so package variables need no locks.
	Moderate func(c Comment) Verdict
}

var registered Plugin

// Register makes p the module's plugin; call it from init (a c-shared
// module never runs main). Registering twice or without Moderate panics.
func Register(p Plugin) {
	if p.Moderate == nil {
		panic("guest: Register without Moderate")
	}
	if registered.Moderate != nil {
		panic("guest: Register called twice")
	}
	registered = p
}
