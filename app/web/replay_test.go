package web

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // to give stored comments chosen creation times

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/protocol"
)

// setCreatedAt gives stored comments chosen creation times, so a replay
// with known spacing needs no real waiting. It writes the server's own
// database file, which the server reads fresh on every request.
func setCreatedAt(t *testing.T, dbPath string, at map[int64]protocol.Timestamp) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for id, ts := range at {
		if _, err := db.Exec(`UPDATE comments SET created_at = ? WHERE id = ?`, int64(ts), id); err != nil {
			t.Fatalf("setting created_at of %d: %v", id, err)
		}
	}
}

// TestLiveReplay is the scenario 6: a live room's replay page plays
// its stored comments in their original order, at their original relative
// timing, at 4×. The comments are stored with chosen creation times; the
// page probe notes when each appears on screen.
func TestLiveReplay(t *testing.T) {
	needBrowser(t)
	s := apptest.Start(t)
	apptest.CreateRoom(t, s.URL(), "onair", "live")
	var room struct {
		CreatedAt protocol.Timestamp `json:"created_at"`
	}
	apptest.Call(t, apptest.HTTPClient(t), "GET", s.URL()+"/api/rooms/onair", nil, &room)

	// Seconds after the first comment: short and long gaps in turn (4 s, 12 s),
	// 1 s and 3 s at 4×, long enough that a busy machine's stalled frames
	// stay small beside them.
	offsets := []float64{0, 4, 16, 20, 32}
	modes := []string{"scroll", "top", "scroll", "bottom", "scroll"}
	first := room.CreatedAt + 20_000 // the replay starts 3 s before it
	texts := make([]string, len(offsets))
	times := map[int64]protocol.Timestamp{}
	for i, off := range offsets {
		texts[i] = fmt.Sprintf("live comment %d", i+1)
		c := postComment(t, s.URL(), "onair", map[string]any{"text": texts[i], "mode": modes[i], "time": 999 - float64(i)})
		times[c.ID] = first + protocol.Timestamp(off*1000)
	}
	setCreatedAt(t, s.Cfg.DBPath, times)

	p := newTab(t, "replay")
	p.open(s.URL() + "/rooms/onair/replay")
	wantDuration := 3 + offsets[len(offsets)-1] + 8
	p.wait(fmt.Sprintf(`document.getElementById('dm-clock').textContent === '0:00 / %s'`, clockText(wantDuration)), "the replay's length")
	p.wait(fmt.Sprintf(`document.getElementById('dm-list').dataset.count === '%d'`, len(texts)), "the comments in the list")
	// The heat curve counts them by replay time, as the server does for a live room.
	p.wait(`document.querySelector('#dm-heat path').getAttribute('d')?.startsWith('M') && document.getElementById('dm-heat').dataset.peak === '1'`, "the heat curve")

	step(t, "6 at 4× the comments come in their order and at their pace", func(t *testing.T) {
		p := p.in(t)
		p.click(`.dm-speed-menu > summary`)
		p.click(`#dm-speed [data-rate="4"]`)
		p.wait(`document.querySelector('#dm-speed [data-rate="4"]').getAttribute('aria-pressed') === 'true'`, "4× selected")
		p.click("#dm-play")
		p.seen(texts[len(texts)-1], false)
		var got []seenItem
		for _, e := range p.seenAll() {
			if len(got) < len(texts) && e.Text == texts[len(got)] {
				got = append(got, e)
			}
		}
		if len(got) != len(texts) {
			t.Fatalf("comments out of order: saw %v", p.seenAll())
		}
		// On screen the whole span shrinks by the speed, and the long gaps
		// stay three times the short ones: the relative timing survives.
		gap := func(i int) float64 { return got[i].Perf - got[i-1].Perf }
		speed := (offsets[len(offsets)-1] - offsets[0]) * 1000 / (got[len(got)-1].Perf - got[0].Perf)
		shape := (gap(2) + gap(4)) / (gap(1) + gap(3))
		t.Logf("replayed at %.2f×; long gaps %.2f times the short ones (sent 3 times)", speed, shape)
		if speed < 3.2 || speed > 5 {
			t.Errorf("the replay ran at %.2f×, want 4×", speed)
		}
		if shape < 2 || shape > 4.5 {
			t.Errorf("long gaps came %.2f times the short ones, want 3: the relative timing is off", shape)
		}
	})

	step(t, "pause stops the replay and the scrubber moves it", func(t *testing.T) {
		p := p.in(t)
		p.click("#dm-play")
		p.wait(`document.getElementById('dm-play').dataset.state === 'paused'`, "paused")
		pos := eval[float64](p, `Number(document.getElementById('dm-scrub').value)`)
		// A paused clock stands still however many frames pass.
		p.wait(fmt.Sprintf(`(async () => { for (let i = 0; i < 10; i++) await new Promise(requestAnimationFrame); return Number(document.getElementById('dm-scrub').value) === %g; })()`, pos), "the scrubber to stay")
		eval[bool](p, `(window.__seen.length = 0, true)`)
		// Drag the scrubber to just before the fourth comment, then play.
		eval[bool](p, fmt.Sprintf(`(() => {
			const s = document.getElementById('dm-scrub');
			s.value = '%g';
			s.dispatchEvent(new Event('input'));
			s.dispatchEvent(new Event('change'));
			return true;
		})()`, 3+offsets[3]-1))
		p.click("#dm-play")
		next := p.seen(texts[3], false)
		for _, e := range p.seenAll() {
			if e.Perf < next.Perf {
				t.Errorf("%q showed before the fourth comment after seeking past it", e.Text)
			}
		}
	})
	p.in(t).checkClean()
}

// clockText is how the replay shows a length: m:ss.
func clockText(sec float64) string {
	d := time.Duration(sec) * time.Second
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}
