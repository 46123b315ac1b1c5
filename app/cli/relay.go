package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/interop/decode"
	"github.com/danmaku/danmaku/client"
)

const relayUsage = `usage: danmaku relay -addr URL -room ID [-token T] [-speed 1] FILE

Posts the comments of a Bilibili danmaku XML file or a danmaku JSON export
(FILE "-" reads standard input) into room ID of a running server, live, at
the pace they were recorded: by their video time, from the first one, -speed
times as fast. Each goes out as a new comment of the signed-in user (or a
guest), through the room's moderation; what the server refuses is counted
and reported, and the relay goes on. A moderator token skips the rate
limits and flood checks of the default chain, but not the server's
-frame-rate (10 a second by default). One line per comment goes to
standard output: its offset from the start, its id, its text.

flags:`

// relayFile runs `danmaku relay`.
func relayFile(ctx context.Context, args []string, io IO, _ Files) error {
	fs, cf := clientCommand("relay", relayUsage, "the room to post into (required)")
	speed := fs.Float64("speed", 1, "how many times faster than recorded")
	_, rest, err := parseArgs(fs, args, io)
	if err != nil {
		return err
	}
	switch {
	case cf.room == "":
		return errors.New("relay: -room is required")
	case *speed <= 0:
		return fmt.Errorf("relay: -speed must be positive, got %v", *speed)
	case len(rest) != 1:
		fs.Usage()
		return errUsage
	}
	entries, skipped, err := readEntries(rest[0], io)
	if err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	c, err := cf.connect(ctx, io, []string{cf.room}, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	span := time.Duration(0)
	if len(entries) > 0 {
		span = seconds(entryTime(entries[len(entries)-1]) - entryTime(entries[0]))
	}
	fmt.Fprintf(io.Stderr, "relaying %d comments (%d skipped in the file) spanning %s at %gx\n", len(entries), skipped, span, *speed)
	r := relay{c: c, room: cf.room, speed: *speed, clock: io.clock(), out: io.Stdout, errOut: io.Stderr, refused: map[client.Code]int{}}
	err = r.run(ctx, entries)
	r.report(len(entries))
	return commandError("relay", err)
}

// readEntries reads the whole file, in video-time order (files are often
// not), and how many entries the decoder skipped as unusable.
func readEntries(path string, streams IO) ([]interop.Entry, int, error) {
	in, _, _, err := openInput(path, streams)
	if err != nil {
		return nil, 0, err
	}
	defer in.Close()
	dec, _, err := decode.Open(in)
	if err != nil {
		return nil, 0, err
	}
	var entries []interop.Entry
	for {
		e, err := dec.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		entries = append(entries, e)
	}
	slices.SortStableFunc(entries, func(a, b interop.Entry) int { return cmp.Compare(entryTime(a), entryTime(b)) })
	return entries, dec.Skipped().Total, nil
}

// entryTime is an entry's video time in seconds (0 when the file has none).
func entryTime(e interop.Entry) float64 {
	if e.Input.Time == nil {
		return 0
	}
	return *e.Input.Time
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// relay posts entries at their pace and counts the outcome.
type relay struct {
	c           *client.Client
	room        string
	speed       float64
	clock       Clock
	out, errOut io.Writer
	sent        int
	refused     map[client.Code]int
	took        time.Duration
}

// maxRefusalLines bounds the refusals printed one by one.
const maxRefusalLines = 20

// run sends each entry when its time comes: start + (its time − the
// first's) ÷ speed on the clock. A comment that is late (the previous ack
// took long) goes at once, so the relay catches up rather than drifts.
func (r *relay) run(ctx context.Context, entries []interop.Entry) error {
	start := r.clock.Now()
	defer func() { r.took = r.clock.Now().Sub(start) }()
	for _, e := range entries {
		offset := time.Duration(float64(seconds(entryTime(e)-entryTime(entries[0]))) / r.speed)
		if err := r.clock.Sleep(ctx, start.Add(offset).Sub(r.clock.Now())); err != nil {
			return err
		}
		at := r.clock.Now().Sub(start)
		stored, err := r.c.Send(ctx, r.room, client.Draft{Text: e.Input.Text, Time: entryTime(e),
			Mode: e.Input.Mode, Color: e.Input.Color, Size: e.Input.Size})
		var refusal *client.Error
		switch {
		case errors.As(err, &refusal):
			if n := sum(r.refused); n < maxRefusalLines {
				fmt.Fprintf(r.errOut, "+%.3fs refused (%v): %s\n", at.Seconds(), refusal, e.Input.Text)
			}
			r.refused[refusal.Code]++
		case err != nil:
			return err
		default:
			r.sent++
			fmt.Fprintf(r.out, "+%.3fs %d %s\n", at.Seconds(), stored.ID, stored.Text)
		}
	}
	return nil
}

// report says how the relay went, on standard error.
func (r *relay) report(total int) {
	fmt.Fprintf(r.errOut, "relayed %d of %d comments in %s", r.sent, total, r.took.Round(time.Millisecond))
	if n := sum(r.refused); n > 0 {
		var parts []string
		for _, code := range slices.Sorted(maps.Keys(r.refused)) {
			parts = append(parts, fmt.Sprintf("%s %d", code, r.refused[code]))
		}
		fmt.Fprintf(r.errOut, "; %d refused: %s", n, strings.Join(parts, ", "))
	}
	fmt.Fprintln(r.errOut)
}

func sum(m map[client.Code]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
