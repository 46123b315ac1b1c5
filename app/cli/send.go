package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/danmaku/danmaku/client"
)

const sendUsage = `usage: danmaku send -addr URL -room ID [-token T] [-mode top] [-color '#ff0000'] [-size large] [-time SEC] [-json] TEXT...

Posts one comment (the arguments, joined with spaces) to room ID of a
running server over WebSocket and prints the comment as stored. When the
server refuses it (rejected, held for a moderator, rate limited, invalid,
banned, a bad token), the exit code is 1 and the server's reason goes to
standard error; other failures exit with 2.

flags:`

// sendComment runs `danmaku send`.
func sendComment(ctx context.Context, args []string, io IO, _ Files) error {
	fs, cf := clientCommand("send", sendUsage, "the room to post to (required)")
	var d client.Draft
	fs.StringVar(&d.Mode, "mode", "", "scroll, top or bottom (default scroll)")
	fs.StringVar(&d.Color, "color", "", "colour as #rrggbb (default #ffffff)")
	fs.StringVar(&d.Size, "size", "", "small, medium or large (default medium)")
	fs.Float64Var(&d.Time, "time", 0, "seconds into the video")
	asJSON := fs.Bool("json", false, "print the stored comment as JSON")
	timeout := fs.Duration("timeout", 10*time.Second, "give up after this long")
	_, rest, err := parseArgs(fs, args, io)
	if err != nil {
		return err
	}
	d.Text = strings.Join(rest, " ")
	switch {
	case cf.room == "":
		return errors.New("send: -room is required")
	case strings.TrimSpace(d.Text) == "":
		fs.Usage()
		return errUsage
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	c, err := cf.connect(ctx, io, []string{cf.room}, nil, client.WithoutReconnect())
	if err != nil {
		return err
	}
	defer c.Close()
	stored, err := c.Send(ctx, cf.room, d)
	if err != nil {
		return commandError("send", err)
	}
	if *asJSON {
		return json.NewEncoder(io.Stdout).Encode(stored)
	}
	_, err = fmt.Fprintf(io.Stdout, "stored comment %d in room %s (seq %d) as %s: %s\n",
		stored.ID, stored.Room, stored.Seq, stored.User.Name, stored.Text)
	return err
}
