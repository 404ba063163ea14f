package volunteer

import (
	"bytes"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"strings"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// QR codes are drawn on the server from the module matrix that
// github.com/yeqown/go-qrcode makes, as SVG for pages (inline, so the
// page needs no second request; presentation attributes only, which the
// Content-Security-Policy allows) and as PNG for printing.

// quiet is the blank margin around a code, in modules, as the standard asks.
const quiet = 4

// bitmapWriter takes the matrix out of the library.
type bitmapWriter struct{ bits [][]bool }

func (w *bitmapWriter) Write(m qrcode.Matrix) error { w.bits = m.Bitmap(); return nil }
func (w *bitmapWriter) Close() error                { return nil }

func qrBits(text string) ([][]bool, error) {
	q, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, err
	}
	w := &bitmapWriter{}
	if err := q.Save(w); err != nil {
		return nil, err
	}
	return w.bits, nil
}

// QRSVG draws text as an SVG QR code that scales to its box.
func QRSVG(text, label string) (template.HTML, error) {
	bits, err := qrBits(text)
	if err != nil {
		return "", err
	}
	n := len(bits) + 2*quiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-label="%s" class="qr">`,
		n, n, template.HTMLEscapeString(label))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			// Runs of dark modules become one rectangle.
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+quiet, y+quiet, run, run)
			x += run - 1
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}

// QRPNG draws text as a PNG QR code, scale pixels a module.
func QRPNG(text string, scale int) ([]byte, error) {
	bits, err := qrBits(text)
	if err != nil {
		return nil, err
	}
	n := len(bits) + 2*quiet
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y, row := range bits {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := range scale {
				for dx := range scale {
					img.SetGray((x+quiet)*scale+dx, (y+quiet)*scale+dy, color.Gray{})
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
