package app

import (
	"html/template"
	"time"
)

// templateFuncs are the helpers page templates may call.
func (a *App) templateFuncs() template.FuncMap {
	return template.FuncMap{
		// asset gives the versioned URL of a file under assets/.
		"asset": a.assets.URL,
		// clock shows an instant as UTC date and time to the second.
		"clock": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	}
}
