//go:build !unix

package sqlite

import "os"

// flock does nothing where flock does not exist: there restore cannot
// tell a running server, and relies on the operator having stopped it.
func flock(*os.File, bool) error { return nil }
