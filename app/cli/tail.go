package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/danmaku/danmaku/client"
)

const tailUsage = `usage: danmaku tail -addr URL -room ID[,ID...] [-since SEQ] [-json]

Prints the comments of one or more rooms of a running server as they come
(time, user, text; or one JSON object per line with -json), until
interrupted. It reconnects by itself and resumes where it stopped, so no
comment is missed or printed twice; connection notices go to standard
error. -since replays the stored comments after that seq first.

flags:`

// tailRoom runs `danmaku tail`.
func tailRoom(ctx context.Context, args []string, io IO, _ Files) error {
	fs, cf := clientCommand("tail", tailUsage, "the room to follow, or several, comma-separated (required)")
	since := fs.Int64("since", -1, "first print the stored comments after this seq (0: all)")
	asJSON := fs.Bool("json", false, "print each comment as a JSON object on its own line")
	if err := parse(fs, args, io); err != nil {
		return err
	}
	rooms := cf.rooms()
	if len(rooms) == 0 {
		return errors.New("tail: -room is required")
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	var join []client.JoinOption
	if *since >= 0 {
		join = append(join, client.Since(*since))
	}
	c, err := cf.connect(ctx, io, rooms, join)
	if err != nil {
		return err
	}
	defer c.Close()
	print := printComment(io.Stdout, len(rooms) > 1, *asJSON)
	for ev := range c.Listen(ctx) {
		switch ev := ev.(type) {
		case client.Comments:
			for _, cm := range ev.Items {
				if err := print(cm); err != nil {
					return err
				}
			}
		case client.Disconnected:
			fmt.Fprintf(io.Stderr, "tail: connection lost (%v); trying again in %s\n", ev.Err, ev.Retry.Round(time.Millisecond))
		case client.Reconnected:
			fmt.Fprintln(io.Stderr, "tail: reconnected")
		case client.ErrorEvent:
			fmt.Fprintln(io.Stderr, "tail:", ev.Err)
		}
	}
	if ctx.Err() != nil {
		return nil // interrupted: the normal way to stop
	}
	return commandError("tail", c.Err())
}

// printComment returns what prints one comment: a JSON line, or "time
// user: text" (with the room when several are followed).
func printComment(w io.Writer, withRoom, asJSON bool) func(client.Comment) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return func(cm client.Comment) error { return enc.Encode(cm) }
	}
	return func(cm client.Comment) error {
		room := ""
		if withRoom {
			room = "[" + cm.Room + "] "
		}
		_, err := fmt.Fprintf(w, "%s %s%s: %s\n", cm.CreatedAt.Time().Local().Format(time.TimeOnly), room, cm.User.Name, cm.Text)
		return err
	}
}
