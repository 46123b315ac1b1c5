package web

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The DPlayer test drives the real player, and the accessibility test runs
// axe-core; neither is committed: each is fetched from the npm registry
// (npm pack, no install scripts, no dependencies: the dist bundles carry
// them) into a gitignored cache under testdata.

// dplayerVersion is the DPlayer release the test runs against.
const dplayerVersion = "1.27.1"

// dplayerCache is where DPlayer.min.js is kept between runs (gitignored).
var dplayerCache = filepath.Join("testdata", "dplayer", dplayerVersion)

// requireDPlayer returns the path of DPlayer.min.js: DANMAKU_DPLAYER_JS,
// else the cached copy, else one fetched with npm now. Without npm or the
// registry the test skips, or fails in CI (see missingTool).
func requireDPlayer(t *testing.T) string {
	t.Helper()
	return requireNPMFile(t, "DANMAKU_DPLAYER_JS", "dplayer", dplayerVersion, "package/dist/DPlayer.min.js", filepath.Join(dplayerCache, "DPlayer.min.js"))
}

// requireNPMFile returns the path of one file of an npm package: the
// environment variable env's, else the cached copy at path, else one
// fetched now with npm pack (no install scripts, no dependencies) from
// member of the package's tarball. Without npm or the registry the test
// skips, or fails in CI (see missingTool).
func requireNPMFile(t *testing.T, env, pkg, version, member, path string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := fetchNPMFile(pkg, version, member, path); err != nil {
		missingTool(t, pkg+" "+version, fmt.Sprintf("npm pack failed (%v); set %s to the file", err, env))
	}
	return path
}

// fetchNPMFile packs the release with npm and extracts member to path.
func fetchNPMFile(pkg, version, member, path string) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return errors.New("npm is not installed")
	}
	tmp, err := os.MkdirTemp("", "npm-pack-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "pack", pkg+"@"+version, "--pack-destination", tmp, "--silent", "--ignore-scripts")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm pack: %v: %s", err, out)
	}
	f, err := os.Open(filepath.Join(tmp, pkg+"-"+version+".tgz"))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return extract(f, member, path)
}

// extract copies member of the gzipped tarball r to path, atomically.
func extract(r io.Reader, member, path string) error {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return fmt.Errorf("the package has no %s", member)
		}
		if err != nil {
			return err
		}
		if h.Name != member {
			continue
		}
		out, err := os.CreateTemp(filepath.Dir(path), ".dplayer-*")
		if err != nil {
			return err
		}
		_, err = io.Copy(out, tr)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(out.Name(), path)
		}
		if err != nil {
			os.Remove(out.Name())
		}
		return err
	}
}
