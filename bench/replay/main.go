// Command replay measures replay-window queries on a room holding many
// comments: it builds the database once with a generator (through the real
// writer), then times random window queries through the store, as the REST
// replay endpoint runs them.
//
//	go run ./bench/replay -db /tmp/replay.db -comments 1000000 -window 60s -queries 2000
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// result is what one measurement prints.
type result struct {
	Comments  int     `json:"comments"`
	SpanSec   float64 `json:"span_sec"`
	WindowSec float64 `json:"window_sec"`
	Limit     int     `json:"limit"`
	Queries   int     `json:"queries"`
	RowsAvg   float64 `json:"rows_avg"`
	P50ms     float64 `json:"p50_ms"`
	P99ms     float64 `json:"p99_ms"`
	// CPU time of the querying thread per query: what the query costs,
	// whatever else the machine runs (the wall-clock figures include waits
	// for a CPU on a shared machine).
	CPUP50ms   float64 `json:"cpu_p50_ms"`
	CPUP99ms   float64 `json:"cpu_p99_ms"`
	Maxms      float64 `json:"max_ms"`
	GenerateS  float64 `json:"generate_sec,omitempty"`
	GenerateCS float64 `json:"generate_comments_per_sec,omitempty"`
	DBBytes    int64   `json:"db_bytes"`
}

func main() {
	db := flag.String("db", "/tmp/danmaku-replay.db", "database file (built when the room is missing)")
	migrations := flag.String("migrations", "migrations", "migrations directory")
	n := flag.Int("comments", 1_000_000, "comments in the room")
	span := flag.Duration("span", 6*time.Hour, "video length the comments are spread over")
	window := flag.Duration("window", 60*time.Second, "replay window")
	limit := flag.Int("limit", 1000, "rows per query (the REST default)")
	queries := flag.Int("queries", 2000, "queries to time")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the queries to this file")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "replay:", err)
			os.Exit(1)
		}
		defer f.Close()
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*db, *migrations, *n, *span, *window, *limit, *queries); err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

const room = "replay"

func run(path, migrations string, n int, span, window time.Duration, limit, queries int) error {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.Options{Path: path, Migrations: os.DirFS(migrations),
		Writer: sqlite.WriterOptions{MaxBatch: 4096, QueueSize: 65536, Logger: slog.New(slog.DiscardHandler)}})
	if err != nil {
		return err
	}
	defer s.Close()
	res := result{Comments: n, SpanSec: span.Seconds(), WindowSec: window.Seconds(), Limit: limit, Queries: queries}
	r, err := s.Room(ctx, room)
	switch {
	case err != nil && errs.CodeOf(err) == errs.NotFound:
		start := time.Now()
		if err := generate(ctx, s, n, span); err != nil {
			return err
		}
		res.GenerateS = time.Since(start).Seconds()
		res.GenerateCS = float64(n) / res.GenerateS
	case err != nil:
		return err
	case r.CommentCount != int64(n):
		return fmt.Errorf("%s holds %d comments in room %q, not %d: remove it to rebuild", path, r.CommentCount, room, n)
	}
	if fi, err := os.Stat(path); err == nil {
		res.DBBytes = fi.Size()
	}

	rng := rand.New(rand.NewPCG(1, 2))
	took := make([]time.Duration, queries)
	cpu := make([]time.Duration, queries)
	runtime.LockOSThread() // so that the thread's CPU time is the queries'
	defer runtime.UnlockOSThread()
	var rows int
	for i := range took {
		from := protocol.Seconds(rng.Int64N(int64((span - window) / time.Millisecond)))
		to := from + protocol.Seconds(window/time.Millisecond)
		c0, t0 := threadCPU(), time.Now()
		items, err := s.CommentsByTime(ctx, room, from, to, limit)
		took[i], cpu[i] = time.Since(t0), threadCPU()-c0
		if err != nil {
			return err
		}
		rows += len(items)
	}
	slices.Sort(took)
	slices.Sort(cpu)
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	res.CPUP50ms, res.CPUP99ms = ms(cpu[queries/2]), ms(cpu[queries*99/100])
	res.RowsAvg = float64(rows) / float64(queries)
	res.P50ms, res.P99ms, res.Maxms = ms(took[queries/2]), ms(took[queries*99/100]), ms(took[queries-1])
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// generate stores n comments in the room through the writer, at random video
// times (comments on a video arrive over its lifetime, not in time order),
// from 10,000 users.
func generate(ctx context.Context, s *sqlite.Store, n int, span time.Duration) error {
	if _, err := s.CreateRoom(ctx, store.Room{ID: room, Title: "Replay benchmark", Kind: store.KindVOD}); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(3, 4))
	failed := make(chan error, 1)
	for i := range n {
		err := s.AddComment(ctx, store.NewComment{
			Room: room,
			User: protocol.User{ID: "u" + strconv.Itoa(rng.IntN(10000)), Name: "viewer"},
			Draft: protocol.Draft{Text: "弹幕 comment " + strconv.Itoa(i), Mode: "scroll", Color: "#ffffff", Size: "medium",
				Time: protocol.Seconds(rng.Int64N(int64(span / time.Millisecond)))},
		}, func(_ protocol.Comment, err error) {
			if err != nil {
				select {
				case failed <- err:
				default:
				}
			}
		})
		if err != nil {
			return err
		}
	}
	if err := s.Ready(ctx); err != nil { // commits a write after everything queued before it
		return err
	}
	select {
	case err := <-failed:
		return err
	default:
		return nil
	}
}

// rusageThread is Linux's RUSAGE_THREAD: the calling thread's usage.
const rusageThread = 1

// threadCPU is the CPU time the calling OS thread has used.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
