// Package artifacts stores build logs on the local disk.
package artifacts

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// Dir is a directory of build logs, one file per build.
type Dir struct {
	root string
}

// NewDir returns a log directory rooted at root.
func NewDir(root string) *Dir {
	return &Dir{root: root}
}

func (d *Dir) path(build int64) string {
	return filepath.Join(d.root, strconv.FormatInt(build, 10)+".log")
}

// Save writes a build log atomically: a temporary file renamed into place.
func (d *Dir) Save(build int64, r io.Reader) (err error) {
	tmp, err := os.CreateTemp(d.root, ".upload-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("write log of build %d: %w", build, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), d.path(build))
}

// Open returns the log of a build; the caller closes it.
func (d *Dir) Open(build int64) (*os.File, error) {
	f, err := os.Open(d.path(build))
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Tail copies the last n bytes of a build log to w.
func (d *Dir) Tail(build int64, n int64, w io.Writer) error {
	f, err := os.Open(d.path(build))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() > n {
		if _, err := f.Seek(-n, io.SeekEnd); err != nil {
			return err
		}
	}
	_, err = io.Copy(w, f)
	return err
}
