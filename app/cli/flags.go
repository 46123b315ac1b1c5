package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// errUsage means the flag package has already told the user what is wrong.
var errUsage = errors.New("usage")

// envName is the variable that sets a flag: -max-text ↔ DANMAKU_MAX_TEXT.
func envName(flagName string) string {
	return "DANMAKU_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse parses args, then fills every flag not given on the command line
// from its DANMAKU_* variable: flags win over the environment, which wins
// over defaults.
func parse(fs *flag.FlagSet, args []string, io IO) error {
	fs.SetOutput(io.Stderr)
	env := io.Env
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		if v := env(envName(f.Name)); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %w", envName(f.Name), v, e)
			}
		}
	})
	return err
}

// listFlag is a comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = nil
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}
