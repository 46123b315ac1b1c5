package cli

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/transfer"
)

// progress shows an import going: on a terminal a bar redrawn in place,
// elsewhere (a log, a pipe) a plain line every tenth of the file.
type progress struct {
	w     io.Writer
	tty   bool
	size  int64 // of the file; 0 when unknown
	last  transfer.ImportProgress
	drawn time.Time // when the bar was last drawn
	step  int64     // the last tenth (or 50,000 entries, size unknown) a line was written for
}

// progressRedraw is how often the bar is redrawn at most.
const progressRedraw = 100 * time.Millisecond

func newProgress(w io.Writer, size int64) *progress {
	f, ok := w.(interface{ Fd() uintptr })
	return &progress{w: w, size: size, tty: ok && isatty.IsTerminal(f.Fd())}
}

// update takes the import's counts; it runs inside the import, so it only
// writes when a redraw or a line is due.
func (p *progress) update(pr transfer.ImportProgress) {
	p.last = pr
	if p.tty {
		if time.Since(p.drawn) >= progressRedraw {
			p.drawn = time.Now()
			fmt.Fprintf(p.w, "\r%s\x1b[K", p.bar(pr))
		}
		return
	}
	step := int64(pr.Read / 50_000)
	if p.size > 0 {
		step = pr.Bytes * 10 / p.size
	}
	// The file is read ahead of the entries: a full file is for finish.
	if step > p.step && (p.size == 0 || step < 10) {
		p.step = step
		fmt.Fprintf(p.w, "import: %s\n", p.counts(pr))
	}
}

// finish ends the display: with the final counts when the import
// succeeded, else just the bar's line (the error says the rest).
func (p *progress) finish(ok bool) {
	switch {
	case p.tty && ok:
		fmt.Fprintf(p.w, "\r%s\x1b[K\n", p.bar(p.last))
	case p.tty:
		fmt.Fprintln(p.w)
	case ok:
		fmt.Fprintf(p.w, "import: %s\n", p.counts(p.last))
	}
}

// bar renders [#####-----]  45%  12.3 MiB of 27.0 MiB  read … imported … skipped ….
func (p *progress) bar(pr transfer.ImportProgress) string {
	const width = 24
	if p.size <= 0 {
		return p.counts(pr)
	}
	done := int(min(pr.Bytes*width/p.size, width))
	return "[" + strings.Repeat("#", done) + strings.Repeat("-", width-done) + "] " + p.counts(pr)
}

// counts renders the numbers: percent and bytes when the size is known.
func (p *progress) counts(pr transfer.ImportProgress) string {
	where := size(pr.Bytes)
	if p.size > 0 {
		where = fmt.Sprintf("%3d%%  %s of %s", min(pr.Bytes*100/p.size, 100), size(pr.Bytes), size(p.size))
	}
	return fmt.Sprintf("%s  read %d  imported %d  skipped %d", where, pr.Read, pr.Imported, pr.Skipped)
}

// size renders a byte count for people.
func size(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// sortedReasons lists a report's skip reasons, the most frequent first.
func sortedReasons(by map[interop.Reason]int) []interop.Reason {
	reasons := slices.Sorted(maps.Keys(by))
	slices.SortStableFunc(reasons, func(a, b interop.Reason) int { return by[b] - by[a] })
	return reasons
}
