package loadtest

import (
	"context"
	"io"
)

// Main runs the load test described by cfg and writes the report to out, as
// text or (cfg.JSON) JSON, with progress lines to progress. It is the whole
// CLI body: RegisterFlags, Parse, Main.
func Main(ctx context.Context, cfg Config, out, progress io.Writer) error {
	rep, err := Run(ctx, cfg, progress)
	if rep.Sockets == 0 { // failed before anything ran: nothing to report
		return err
	}
	write := rep.WriteText
	if cfg.JSON {
		write = rep.WriteJSON
	}
	if werr := write(out); werr != nil && err == nil {
		err = werr
	}
	return err
}
