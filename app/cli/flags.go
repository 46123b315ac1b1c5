package cli

import (
	"errors"
	"flag"
	"fmt"
	stdio "io"
	"strings"
	"sync"

	"github.com/danmaku/danmaku/app"
)

// errUsage means the command has already told the user what is wrong.
var errUsage = errors.New("usage")

// errHelp means the user asked for the flags (-h) and got them.
var errHelp = errors.New("help")

// envName is the variable that sets a flag: -max-text ↔ DANMAKU_MAX_TEXT.
func envName(flagName string) string {
	return "DANMAKU_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// configFlag names the flag that points at the YAML config file.
const configFlag = "config"

// serverSettings are the names of the server's settings (serve's flags).
// Only they come from DANMAKU_* variables and the config file, and only in
// commands that read the server's settings (those with -config): a
// command's own flags (token -user, export -room, all of loadtest's) come
// from its command line, so DANMAKU_ADDR never becomes loadtest's target.
var serverSettings = sync.OnceValue(func() map[string]bool {
	var cfg app.Config
	var level, format string
	names := map[string]bool{}
	serveFlags(&cfg, &level, &format).VisitAll(func(f *flag.Flag) { names[f.Name] = true })
	return names
})

// parse parses args, which must all be flags, as parseArgs does.
func parse(fs *flag.FlagSet, args []string, io IO) error {
	_, err := parseFlags(fs, args, io)
	return err
}

// parseFlags is parse that also says where each setting came from.
func parseFlags(fs *flag.FlagSet, args []string, io IO) (origins, error) {
	from, rest, err := parseArgs(fs, args, io)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("unexpected argument %q", rest[0])
	}
	return from, err
}

// parseArgs parses args and fills every flag not given on the command line
// from its DANMAKU_* variable, else from the YAML config file named by
// -config or DANMAKU_CONFIG, else leaves its default: flags > environment >
// file > defaults. It returns where each setting came from and the
// arguments after the flags.
func parseArgs(fs *flag.FlagSet, args []string, io IO) (origins, []string, error) {
	if err := parseCommandLine(fs, args, io); err != nil {
		return nil, nil, err
	}
	from := origins{}
	fs.Visit(func(f *flag.Flag) { from[f.Name] = "flag -" + f.Name })
	file, err := configFile(fs, io, from)
	if err != nil {
		return nil, nil, err
	}
	settings := fs.Lookup(configFlag) != nil
	fs.VisitAll(func(f *flag.Flag) {
		if _, given := from[f.Name]; given || f.Name == configFlag || !settings || !serverSettings()[f.Name] || err != nil {
			return
		}
		if v := io.Env(envName(f.Name)); v != "" {
			from[f.Name] = envName(f.Name)
			err = set(fs, f.Name, []string{v}, false, from)
		} else if s, ok := file.settings[f.Name]; ok {
			from[f.Name] = fmt.Sprintf("%s line %d", file.path, s.line)
			err = set(fs, f.Name, s.values, s.list, from)
		}
	})
	return from, fs.Args(), err
}

// parseCommandLine parses args into fs. A mistake is one line, returned;
// -h prints the command's usage on stdout (errHelp).
func parseCommandLine(fs *flag.FlagSet, args []string, io IO) error {
	usage := fs.Usage
	fs.SetOutput(stdio.Discard) // the flag package would print the error and then every flag
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(io.Stderr)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(io.Stdout)
		fs.Usage() // never nil: NewFlagSet sets the flag package's own
		fs.SetOutput(io.Stderr)
		return errHelp
	case err != nil:
		return fmt.Errorf("%w (danmaku %s -h lists the flags)", err, fs.Name())
	}
	return nil
}

// configFile reads the file named by -config, or by DANMAKU_CONFIG when the
// flag is not given; commands without the flag have no file.
func configFile(fs *flag.FlagSet, io IO, from origins) (configSettings, error) {
	f := fs.Lookup(configFlag)
	if f == nil {
		return configSettings{}, nil
	}
	if _, given := from[configFlag]; !given {
		if v := io.Env(envName(configFlag)); v != "" {
			from[configFlag] = envName(configFlag)
			if err := fs.Set(configFlag, v); err != nil {
				return configSettings{}, err
			}
		}
	}
	if f.Value.String() == "" {
		return configSettings{}, nil
	}
	return readConfig(f.Value.String(), fs)
}

// set gives a flag its value from the environment or the file, and names
// both the setting and the source when the value is bad.
func set(fs *flag.FlagSet, name string, values []string, list bool, from origins) error {
	var err error
	if lv, ok := fs.Lookup(name).Value.(listValue); ok && list {
		err = lv.SetList(values)
	} else {
		err = fs.Set(name, values[0])
	}
	if err != nil {
		return fmt.Errorf("invalid value %q for %s (from %s): %w", strings.Join(values, ","), name, from[name], err)
	}
	return nil
}

// origins maps each setting that is not at its default to where it was
// set: "flag -addr", "DANMAKU_ADDR" or "danmaku.yaml line 3".
type origins map[string]string

// explain adds where a setting came from to an error that starts with its
// name, as the config's validation errors do ("max-text must be …").
func (o origins) explain(err error) error {
	msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "config: "), "-")
	end := strings.IndexFunc(msg, func(r rune) bool { return !(r == '-' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9') })
	if end < 0 {
		end = len(msg)
	}
	if src, ok := o[msg[:end]]; ok {
		return fmt.Errorf("%w (%s is set by %s)", err, msg[:end], src)
	}
	return err
}

// listValue is a flag that holds several values; a YAML list sets it item
// by item, so an item may contain a comma.
type listValue interface {
	SetList([]string) error
}

// listFlag is a comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	return l.SetList(strings.Split(s, ","))
}

// SetList sets the list, dropping blank items.
func (l *listFlag) SetList(items []string) error {
	*l = nil
	for _, part := range items {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}
