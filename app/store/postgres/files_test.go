package postgres_test

import "io/fs"

// fsGlob lists the migrations matching pattern.
func fsGlob(pattern string) ([]string, error) { return fs.Glob(migrations, pattern) }
