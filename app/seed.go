package app

import (
	"context"
	"fmt"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// DemoRoom is the room seeded into a new database.
const DemoRoom = "demo"

// demoComments start the demo room off with a few comments along the clip.
var demoComments = []struct {
	at   float64
	text string
	mode string
	col  string
}{
	{0.5, "前方高能", protocol.ModeTop, "#ff5c5c"},
	{1.0, "first!", protocol.ModeScroll, "#ffffff"},
	{2.5, "Welcome to Danmaku 👋", protocol.ModeScroll, "#7ad7ff"},
	{4.0, "哈哈哈哈", protocol.ModeScroll, "#ffffff"},
	{6.0, "the colour bars are mesmerising", protocol.ModeScroll, "#ffe066"},
	{8.0, "comments replay at the same moment for everyone", protocol.ModeBottom, "#b8f5a0"},
	{10.0, "23333", protocol.ModeScroll, "#ffffff"},
	{12.5, "try sending one yourself ↓", protocol.ModeScroll, "#ff9de2"},
	{15.0, "halfway there", protocol.ModeTop, "#ffffff"},
	{18.0, "弹幕护体", protocol.ModeScroll, "#ffffff"},
	{22.0, "beep", protocol.ModeScroll, "#7ad7ff"},
	{26.0, "完结撒花", protocol.ModeBottom, "#ffe066"},
}

// seedDemo creates the demo room and its first comments.
func seedDemo(ctx context.Context, s *sqlite.Store) error {
	_, err := s.CreateRoom(ctx, store.Room{
		ID: DemoRoom, Title: "Demo: test pattern", VideoURL: "/assets/video/demo.mp4", Kind: store.KindVOD,
	})
	if err != nil {
		return fmt.Errorf("seeding demo room: %w", err)
	}
	for _, d := range demoComments {
		errc := make(chan error, 1)
		err := s.AddComment(ctx, store.NewComment{
			Room:  DemoRoom,
			Draft: protocol.Draft{Text: d.text, Time: protocol.SecondsOf(d.at), Mode: d.mode, Color: d.col, Size: protocol.SizeMedium},
			User:  protocol.User{ID: "danmaku", Name: "Danmaku"},
		}, func(_ protocol.Comment, err error) { errc <- err })
		if err != nil {
			return fmt.Errorf("seeding demo comments: %w", err)
		}
		if err := <-errc; err != nil {
			return fmt.Errorf("seeding demo comments: %w", err)
		}
	}
	return nil
}
