// Command bot joins the demo room, greets it, counts the likes on its
// greeting, and leaves when interrupted (Ctrl-C).
package main

import (
	"cmp"
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/danmaku/danmaku/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := client.Dial(ctx, cmp.Or(os.Getenv("DANMAKU_URL"), "http://127.0.0.1:8080"),
		client.WithToken(os.Getenv("DANMAKU_TOKEN"))) // no token: a guest
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close() // after Ctrl-C: leaves the room and closes the connection
	if _, err := c.Join(ctx, "demo"); err != nil {
		log.Fatal(err)
	}
	hello, err := c.Send(ctx, "demo", client.Draft{Text: "hello from a bot", Color: "#00ff00"})
	if err != nil {
		log.Fatal(err) // a *client.Error: the server's code and reason
	}
	for ev := range c.Listen(ctx) { // until Ctrl-C; reconnects happen inside
		if likes, ok := ev.(client.Likes); ok && likes.Comments[hello.ID] > 0 {
			fmt.Println("likes on my greeting:", likes.Comments[hello.ID])
		}
	}
}
