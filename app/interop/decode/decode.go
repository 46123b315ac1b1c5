// Package decode opens a comment file of any format this server reads,
// telling the format from its first bytes: what the importer and the
// relay command share.
package decode

import (
	"bufio"
	"io"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/interop/bilixml"
	"github.com/danmaku/danmaku/app/interop/jsonexport"
)

// sniffBytes is how much of the file Open looks at to tell its format.
const sniffBytes = 4096

// Open returns a decoder for r, a Bilibili XML file or a JSON export, and
// its format. A file that is neither (or empty) is a BadRequest error.
func Open(r io.Reader) (interop.Decoder, interop.Format, error) {
	in := bufio.NewReaderSize(r, 64<<10)
	head, _ := in.Peek(sniffBytes)
	format, err := interop.Sniff(head)
	if err != nil {
		return nil, "", errs.New(errs.BadRequest, "%s", err)
	}
	if format == interop.FormatBilibiliXML {
		return bilixml.NewDecoder(in), format, nil
	}
	return jsonexport.NewReader(in), format, nil
}
