package pages

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/danmaku/danmaku/app/errs"
)

// Cache policies of the asset responses.
const (
	// cacheImmutable is for /assets/<version>/…: that URL never changes content.
	cacheImmutable = "public, max-age=31536000, immutable"
	// cachePlain is for /assets/…: short, and revalidated cheaply by ETag.
	cachePlain = "public, max-age=300"
	// cacheStale is for an old version's URL, answered with today's file:
	// usable once, never kept under a name it does not belong to.
	cacheStale = "no-cache"
)

// versionLen is the length of the hex version in versioned asset URLs.
const versionLen = 12

// assetTypes are content types net/http's own table lacks.
var assetTypes = map[string]string{
	".mp4":   "video/mp4",
	".webm":  "video/webm",
	".vtt":   "text/vtt; charset=utf-8",
	".woff2": "font/woff2",
	".ico":   "image/x-icon",
	".txt":   "text/plain; charset=utf-8",
	".md":    "text/markdown; charset=utf-8",
}

// Assets serves the embedded asset tree. Pages link assets under
// /assets/<version>/…, version being a hash of the whole tree computed once
// at start: ES modules import each other by relative URL, so versioning the
// directory (not a ?v= on one file) keeps every import of a page on one
// version, and such responses can be cached for good. Plain /assets/… stays
// for the demo video and hand-written links. Files go out through
// http.ServeContent: Range (video seeking), If-None-Match, If-Range, HEAD.
type Assets struct {
	fsys    fs.FS
	version string
	etags   map[string]string // file path -> strong ETag of its content
}

// LoadAssets hashes every file of fsys; only the files seen here are served.
func LoadAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{fsys: fsys, etags: map[string]string{}}
	tree := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.etags[p] = `"` + hex.EncodeToString(sum[:12]) + `"`
		fmt.Fprintf(tree, "%s\x00%x\n", p, sum)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hashing assets: %w", err)
	}
	a.version = hex.EncodeToString(tree.Sum(nil))[:versionLen]
	return a, nil
}

// URL returns the versioned URL of the asset name, e.g. "js/pages/room.js".
// Without an asset tree it is the plain URL.
func (a *Assets) URL(name string) string {
	name = strings.TrimPrefix(name, "/")
	if a == nil {
		return "/assets/" + name
	}
	return "/assets/" + a.version + "/" + name
}

// Serve is the handler mounted at /assets.
func (a *Assets) Serve(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return errs.New(errs.BadRequest, "assets are read with GET or HEAD")
	}
	name, cache := a.resolve(strings.TrimPrefix(c.Path(), "/assets/"))
	etag, ok := a.etags[name]
	if !ok {
		return errs.New(errs.NotFound, "no asset %s", c.Path())
	}
	f, err := a.fsys.Open(name)
	if err != nil {
		return fmt.Errorf("opening asset %s: %w", name, err)
	}
	defer f.Close()
	content, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			return fmt.Errorf("reading asset %s: %w", name, err)
		}
		content = bytes.NewReader(b)
	}
	return adaptor.HTTPHandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", cache)
		h.Set("ETag", etag)
		if t := contentType(name); t != "" {
			h.Set("Content-Type", t)
		}
		http.ServeContent(w, r, name, time.Time{}, content)
	})(c)
}

// resolve maps the path after /assets/ to a file name and its cache policy.
func (a *Assets) resolve(rest string) (name, cache string) {
	cache = cachePlain
	if v, after, ok := strings.Cut(rest, "/"); ok && isVersion(v) {
		rest, cache = after, cacheStale
		if v == a.version {
			cache = cacheImmutable
		}
	}
	return path.Clean(rest), cache
}

// isVersion reports whether s has the shape of an asset version.
func isVersion(s string) bool {
	if len(s) != versionLen {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// contentType is the type of a file by extension, or "" to let ServeContent sniff.
func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := assetTypes[ext]; ok {
		return t
	}
	return mime.TypeByExtension(ext)
}
