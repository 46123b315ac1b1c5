// Command danmaku is a self-hostable live-comment (弹幕) server.
//
//	go run .            serve on http://127.0.0.1:8080 with ./data/danmaku.db
//	go run . -h         list the settings
package main

import (
	"context"
	"embed"
	"io/fs"
	"os"

	"github.com/danmaku/danmaku/app/cli"
	_ "github.com/danmaku/danmaku/plugins/all" // the built-in moderation plugins
)

//go:embed templates assets migrations
var files embed.FS

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.OS(), embedded()))
}

func embedded() cli.Files {
	return cli.Files{Templates: sub("templates"), Assets: sub("assets"), Migrations: sub("migrations"),
		PostgresMigrations: sub("migrations/postgres")}
}

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded above, so this cannot happen
	}
	return f
}
