// Package transfer moves comments in and out of rooms as files: it imports
// Bilibili XML and JSON exports (each entry checked like a sent comment)
// and exports a room's comments in either format, streaming both ways.
package transfer

import (
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/interop/decode"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// ImportOptions say where a file goes and who sends it.
type ImportOptions struct {
	Room   string
	By     string // the moderator's user id, or "cli"
	Source string // the file's name, recorded with the import
	// Progress, when set, is called every progressEvery entries and once
	// at the end, on the importing goroutine, between the chunks the import
	// stores (outside the writer).
	Progress func(ImportProgress)
}

// progressEvery is how many entries pass between two Progress calls.
const progressEvery = 1000

// ImportProgress counts an import as it goes.
type ImportProgress struct {
	Read     int   // entries read so far: imported or skipped
	Imported int   // entries accepted so far (stored chunk by chunk)
	Skipped  int   // entries left out, for any reason
	Bytes    int64 // of the file
}

// ImportReport is the outcome of an import.
type ImportReport struct {
	ID       int64          `json:"import_id"`
	Room     string         `json:"room"`
	Format   interop.Format `json:"format"`
	Read     int            `json:"read"` // entries in the file
	Imported int            `json:"imported"`
	Skipped  SkipReport     `json:"skipped"`
	Bytes    int64          `json:"bytes"`
	FirstSeq int64          `json:"first_seq,omitempty"` // the seqs the comments took, in file order
	LastSeq  int64          `json:"last_seq,omitempty"`
}

// SkipReport counts the entries an import left out, by reason, with the
// first few as examples.
type SkipReport struct {
	Total    int                    `json:"total"`
	ByReason map[interop.Reason]int `json:"by_reason"`
	Examples []SkipExample          `json:"examples"`
}

// SkipExample is one entry left out.
type SkipExample struct {
	Line   int            `json:"line"`
	Reason interop.Reason `json:"reason"`
	Detail string         `json:"detail"`
}

// Store is what imports and exports read and write.
type Store interface {
	Room(ctx context.Context, id string) (store.Room, error)
	CreateRoom(ctx context.Context, r store.Room) (store.Room, error)
	ImportComments(ctx context.Context, imp store.Import) (store.ImportResult, error)
	EachVisible(ctx context.Context, room string, upTo int64, pageSize int, fn func([]protocol.Comment) error) error
}

// Screener runs the import chains on imported comments (see moderation.Service).
type Screener interface {
	ImportChains() (*plugins.Set, error)
	Screen(ctx context.Context, chains *plugins.Set, room string, u protocol.User, d *protocol.Draft) *interop.Skip
}

// Deps are the transfer service's dependencies.
type Deps struct {
	Store    Store
	Screener Screener
	Limits   protocol.Limits // every imported entry must pass them like a sent comment
	// Skipper, when set, hears of the seqs each chunk of an import took,
	// which are not pushed live: a cluster broker steps over them instead
	// of reading them from the store as missed comments.
	Skipper Skipper
	Logger  *slog.Logger
}

// Skipper is told of a run of seqs that committed without going live.
type Skipper interface {
	SkipSeqs(ctx context.Context, room string, first, last int64)
}

// Service imports and exports rooms' comments.
type Service struct {
	deps Deps
	log  *slog.Logger
}

// New returns the transfer service over deps.
func New(deps Deps) *Service { return &Service{deps: deps, log: deps.Logger} }

// reasonBadUser is the skip reason for an entry whose author's id is unusable.
const reasonBadUser interop.Reason = "bad_user"

// Import reads a Bilibili XML file or a JSON export (told apart by its
// first bytes) from r and stores its comments in opt.Room. Each entry is
// validated with the server's limits and passes the room's import chain
// (see moderation.Service.ImportChains); entries that fail are skipped and reported. Memory
// stays bounded whatever the size of r: it is read as it is stored.
//
// The comments are stored in chunks of store.ImportChunk, each a short
// write of the database writer, so comments sent meanwhile commit between
// the chunks rather than after the whole file. A file that turns out to be
// malformed (a BadRequest error naming the line), a read that fails or a
// cancelled ctx stops the import and undoes the chunks already stored:
// it leaves nothing visible (see store.ImportComments).
func (s *Service) Import(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error) {
	counted := &countingReader{r: r}
	dec, format, err := decode.Open(counted)
	if err != nil {
		return ImportReport{}, err
	}
	chains, err := s.deps.Screener.ImportChains()
	if err != nil {
		return ImportReport{}, err
	}
	defer chains.Close()

	start := time.Now()
	im := importer{s: s, ctx: ctx, chains: chains, room: opt.Room, dec: dec, bytes: counted, progress: opt.Progress}
	var stored func(first, last int64)
	if s.deps.Skipper != nil {
		stored = func(first, last int64) { s.deps.Skipper.SkipSeqs(ctx, opt.Room, first, last) }
	}
	res, err := s.deps.Store.ImportComments(ctx, store.Import{
		Room: opt.Room, Format: string(format), Source: opt.Source, By: opt.By,
		Next: im.next, Skipped: im.skippedTotal, Stored: stored,
	})
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{
		ID: res.ID, Room: opt.Room, Format: format, Read: im.read + dec.Skipped().Total, Imported: res.Imported,
		Skipped: skipReport(dec.Skipped(), &im.skipped), Bytes: counted.n, FirstSeq: res.FirstSeq, LastSeq: res.LastSeq,
	}
	s.log.Info("import", "room", opt.Room, "by", opt.By, "format", format, "import_id", res.ID,
		"imported", rep.Imported, "skipped", rep.Skipped.Total, "bytes", rep.Bytes, "took", time.Since(start))
	return rep, nil
}

// EnsureRoom creates room (a vod room titled with its id) unless it
// exists, and reports whether it did.
func (s *Service) EnsureRoom(ctx context.Context, room string) (bool, error) {
	if err := protocol.CheckRoomID(room); err != nil {
		return false, err
	}
	_, err := s.deps.Store.Room(ctx, room)
	if err == nil || errs.CodeOf(err) != errs.NotFound {
		return false, err
	}
	_, err = s.deps.Store.CreateRoom(ctx, store.Room{ID: room, Title: room, Kind: store.KindVOD})
	return err == nil, err
}

// importer turns a decoder's entries into comments to store.
type importer struct {
	s        *Service
	ctx      context.Context
	chains   *plugins.Set
	room     string
	dec      interop.Decoder
	bytes    *countingReader
	progress func(ImportProgress)

	read       int           // entries the decoder returned
	skipped    interop.Tally // entries the importer left out
	nextReport int           // Progress is due when this many entries are read
}

// next returns the next entry that passes, io.EOF at the end of the file,
// or the error that stops the import.
func (im *importer) next() (store.ImportedComment, error) {
	for {
		if err := im.ctx.Err(); err != nil {
			return store.ImportedComment{}, errs.Wrap(err, errs.Unavailable, "the import was cancelled; nothing was imported")
		}
		e, err := im.dec.Next()
		if errors.Is(err, io.EOF) {
			im.report(true)
			return store.ImportedComment{}, io.EOF
		}
		if err != nil {
			// A malformed file, unless reading it failed with a code (too large).
			code, msg := errs.BadRequest, err.Error()
			if e := (*errs.Error)(nil); errors.As(err, &e) {
				code, msg = e.Code, e.Message
			}
			return store.ImportedComment{}, errs.Wrap(err, code, msg+"; nothing was imported")
		}
		im.read++
		c, skip := im.admit(e)
		if skip != nil {
			skip.Line = e.Line
			im.skipped.Add(*skip)
		}
		im.report(false)
		if skip == nil {
			return c, nil
		}
	}
}

// admit checks one entry as the server checks a comment: the author, the
// server's limits, the import chain.
func (im *importer) admit(e interop.Entry) (store.ImportedComment, *interop.Skip) {
	u, ok := importedUser(e.User)
	if !ok {
		return store.ImportedComment{}, &interop.Skip{Reason: reasonBadUser, Detail: "the author's id is not a usable user id"}
	}
	d, err := im.s.deps.Limits.Validate(e.Input)
	if err != nil {
		return store.ImportedComment{}, &interop.Skip{Reason: interop.ReasonOf(err), Detail: errs.From(err).Message}
	}
	if skip := im.s.deps.Screener.Screen(im.ctx, im.chains, im.room, u, &d); skip != nil {
		return store.ImportedComment{}, skip
	}
	return store.ImportedComment{Draft: d, User: u, CreatedAt: e.CreatedAt}, nil
}

// skippedTotal counts every entry left out, by the decoder or the importer.
func (im *importer) skippedTotal() int { return im.dec.Skipped().Total + im.skipped.Total }

// report calls Progress every progressEvery entries, and at the end.
func (im *importer) report(end bool) {
	total := im.read + im.dec.Skipped().Total
	if im.progress == nil || !end && total < im.nextReport {
		return
	}
	im.nextReport = total + progressEvery
	im.progress(ImportProgress{Read: total, Imported: im.read - im.skipped.Total, Skipped: im.skippedTotal(), Bytes: im.bytes.n})
}

// unknownAuthor stands for the author of an entry that names none.
const unknownAuthor = "imported"

// Bounds on the authors files name.
const (
	maxImportedUserID   = 128
	maxImportedUserName = 64
)

// importedUser is the author an entry is stored with: the file's, as the
// decoders give it ("bili:<hash>" for Bilibili files), or unknownAuthor.
// A name that cannot be shown is dropped; an id that cannot be stored
// fails the entry.
func importedUser(u protocol.User) (protocol.User, bool) {
	if u.ID == "" {
		return protocol.User{ID: unknownAuthor}, true
	}
	if len(u.ID) > maxImportedUserID || !interop.Printable(u.ID) {
		return protocol.User{}, false
	}
	if !interop.Printable(u.Name) || utf8.RuneCountInString(u.Name) > maxImportedUserName {
		u.Name = ""
	}
	u.Name = strings.TrimSpace(u.Name)
	return u, true
}

// skipReport merges tallies of one file into a report; the examples are
// the first of all, in file order.
func skipReport(tallies ...*interop.Tally) SkipReport {
	r := SkipReport{ByReason: map[interop.Reason]int{}, Examples: []SkipExample{}}
	var all []interop.Skip
	for _, t := range tallies {
		r.Total += t.Total
		for reason, n := range t.ByReason {
			r.ByReason[reason] += n
		}
		all = append(all, t.Examples...)
	}
	slices.SortStableFunc(all, func(a, b interop.Skip) int { return cmp.Compare(a.Line, b.Line) })
	for _, s := range all[:min(len(all), interop.MaxExamples)] {
		r.Examples = append(r.Examples, SkipExample{Line: s.Line, Reason: s.Reason, Detail: s.Detail})
	}
	return r
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
