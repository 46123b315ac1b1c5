package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// interruptible ends ctx on SIGINT or SIGTERM, so that a long import is
// rolled back, not cut off mid-transaction.
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
}

// openInput opens path, or standard input for "-", and returns its name
// and size (0 when unknown).
func openInput(path string, io IO) (io.ReadCloser, string, int64, error) {
	if path == "-" {
		if io.Stdin == nil {
			return nil, "", 0, errors.New("no standard input to read")
		}
		return readCloser{io.Stdin}, "", 0, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, "", 0, err
	}
	if info.IsDir() {
		f.Close()
		return nil, "", 0, errors.New(path + " is a directory")
	}
	return f, filepath.Base(path), info.Size(), nil
}

// readCloser is a reader that needs no closing.
type readCloser struct{ io.Reader }

func (readCloser) Close() error { return nil }

// openOutput returns where to write path ("-": standard output) and the
// function that ends the writing with its outcome. A file is written
// under a temporary name and renamed into place on success, so a failed
// export never leaves half a file, nor clobbers an earlier one.
func openOutput(path string, io IO) (io.Writer, func(error) error, error) {
	return openOutputMode(path, io, 0o644)
}

// openOutputMode is openOutput for a file of mode perm: 0600 for one
// that holds personal data.
func openOutputMode(path string, io IO, perm os.FileMode) (io.Writer, func(error) error, error) {
	if path == "-" {
		return io.Stdout, func(err error) error { return err }, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, nil, err
	}
	commit := func(err error) error {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(f.Name(), perm) // CreateTemp's 0600 is for secrets
		}
		if err == nil {
			err = os.Rename(f.Name(), path)
		}
		if err != nil {
			os.Remove(f.Name())
		}
		return err
	}
	return f, commit, nil
}
