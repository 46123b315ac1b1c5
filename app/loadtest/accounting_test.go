package loadtest

import (
	"fmt"
	"testing"
	"time"
)

// TestAccountingFromFrames feeds real-shaped server frames through the json
// reader path and checks the report's arithmetic.
func TestAccountingFromFrames(t *testing.T) {
	tests := []struct {
		name        string
		drop        []int // sockets that disconnect mid-run
		expected    int64
		delivered   int64
		lost        int64
		wantDropped int64
	}{
		// accepted: room 0 {0}, room 1 {0, 1}; 2 stable sockets per room.
		{name: "all sockets stable", expected: 1*2 + 2*2, delivered: 2 + 3, lost: 1},
		// viewer 3 (room 1) missed seq 1 but dropped, so it is owed nothing.
		{name: "the lossy viewer dropped", drop: []int{3}, expected: 1*2 + 2*1, delivered: 2 + 2, lost: 0, wantDropped: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := accountingRun(t)
			// sockets: 0 sender room 0, 1 sender room 1, 2 viewer room 0, 3 viewer room 1
			s := r.socks
			now := time.Now().UnixNano()
			feed := func(sock *socket, frame string) {
				t.Helper()
				r.onJSON(sock, []byte(frame), now)
			}
			feed(s[0], ack(r, 0, 0, true))
			feed(s[0], ack(r, 0, 1, false))
			feed(s[1], ack(r, 1, 0, true))
			feed(s[1], ack(r, 1, 1, true))
			feed(s[1], ack(r, 1, 1, true)) // a repeated ack is not a second acceptance
			feed(s[0], comments(r, 0, 0))
			feed(s[2], comments(r, 0, 0, 0, 1)) // a duplicate, then a rejected comment
			feed(s[1], comments(r, 1, 0, 1))
			feed(s[3], comments(r, 1, 0)) // misses seq 1
			feed(s[3], comments(r, 0, 0)) // another room's comment
			feed(s[3], `{"type":"comments","room":"lt1","items":[{"id":1,"text":"hello"}]}`)
			feed(s[3], `{"type":"presence","room":"lt1","viewers":2}`)
			feed(s[2], `{"type":"error","code":"rate_limited","message":"slow down"}`)
			feed(s[2], `not json`)
			for _, i := range tt.drop {
				s[i].err = fmt.Errorf("connection reset")
				r.dropped.Add(1)
			}

			rep := r.report(reportInput{})
			want := Report{
				Acked: 3, Rejected: 1, UnmatchedAcks: 1, Accepted: 3,
				Expected: tt.expected, Delivered: tt.delivered, Lost: tt.lost,
				Duplicates: 1, Unaccepted: 1, CrossRoom: 1, Foreign: 1, Malformed: 1, Dropped: tt.wantDropped,
			}
			got := Report{
				Acked: rep.Acked, Rejected: rep.Rejected, UnmatchedAcks: rep.UnmatchedAcks, Accepted: rep.Accepted,
				Expected: rep.Expected, Delivered: rep.Delivered, Lost: rep.Lost,
				Duplicates: rep.Duplicates, Unaccepted: rep.Unaccepted, CrossRoom: rep.CrossRoom,
				Foreign: rep.Foreign, Malformed: rep.Malformed, Dropped: rep.Dropped,
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Errorf("report counts\n got %+v\nwant %+v", got, want)
			}
			if rep.RejectCodes["too_long"] != 1 || rep.ServerErrs["rate_limited"] != 1 {
				t.Errorf("reject codes %v, server errors %v", rep.RejectCodes, rep.ServerErrs)
			}
			if rep.Latency.Count != 6 { // first receipts on all sockets, the rejected one included
				t.Errorf("latency samples %d, want 6", rep.Latency.Count)
			}
		})
	}
}

// accountingRun is a json-mode run of 2 rooms, each with one sender and one
// viewer, and a budget of 2 comments per room; every socket has joined.
func accountingRun(t *testing.T) *run {
	t.Helper()
	cfg := Config{Addr: "127.0.0.1:1", Rooms: 2, Viewers: 2, Senders: 2, Rate: 2, Duration: 2 * time.Second}.withDefaults()
	p, err := makePlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(cfg, p)
	for _, s := range r.socks {
		r.markJoined(s)
	}
	select {
	case <-r.allJoined:
	default:
		t.Fatal("all sockets marked joined but the start gate is shut")
	}
	return r
}

func ack(r *run, room, seq int, ok bool) string {
	ref := string(appendID(nil, r.id, room, seq))
	if ok {
		return fmt.Sprintf(`{"type":"ack","ref":%q,"ok":true,"comment":{"id":%d,"seq":%d,"text":"x"}}`, ref, seq, seq)
	}
	return fmt.Sprintf(`{"type":"ack","ref":%q,"ok":false,"error":{"code":"too_long","message":"text is too long"}}`, ref)
}

// comments builds a comments frame carrying this run's comments seqs of room.
func comments(r *run, room int, seqs ...int) string {
	items := ""
	for i, seq := range seqs {
		if i > 0 {
			items += ","
		}
		text := jsonTextPrefix + string(appendRawComment(nil, r.id, room, seq, time.Now().Add(-time.Millisecond).UnixNano()))
		items += fmt.Sprintf(`{"id":%d,"seq":%d,"room":"lt%d","time":0,"text":%q,"user":{"id":"u","name":"n"},"likes":0}`, seq, seq, room, text)
	}
	return fmt.Sprintf(`{"type":"comments","room":"lt%d","items":[%s]}`, room, items)
}
