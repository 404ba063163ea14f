package sheet

// Reading spreadsheet files: .xlsx (Office Open XML, as Excel, WPS and
// LibreOffice save it) and CSV (UTF-8 with or without a byte-order mark,
// UTF-16 with one, or GBK/GB18030 as Chinese Excel saves it).
//
// The .xlsx reader is a small streaming reader of its own rather than
// excelize's, for three reasons: it sees formulas in the same pass as the
// values (excelize's row iterator hides them, and asking cell by cell loads
// the whole sheet), it bounds what a file may unpack to (a 50 MB zip can
// hold gigabytes of XML), and it reports a damaged file as an error rather
// than a panic, which the fuzz tests hold it to. It reads values as stored:
// numbers raw (a date is a serial number; the column decides), shared and
// inline strings without phonetic runs.

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"grassroots/internal/platform/apperr"
)

// Limits on what an import reads. Variables, so that tests can lower them.
var (
	// MaxBytes is the largest file accepted.
	MaxBytes int64 = 50 << 20
	// MaxRows is the most data rows a file may hold.
	MaxRows = 200000
	// maxPartBytes bounds what one part of an .xlsx may unpack to.
	maxPartBytes int64 = 1 << 30
	// maxSharedStrings bounds the shared strings an .xlsx may declare.
	maxSharedStrings = 4 << 20
)

const (
	// MaxCellBytes is how much is kept of a cell's content; longer cells are cut and flagged.
	MaxCellBytes = 2000
	// MaxColumns is the widest row read; cells further right are flagged.
	MaxColumns = 100
)

// Info describes a file as read.
type Info struct {
	Format   string // "xlsx" or "csv"
	Encoding string // of a CSV: utf-8, utf-16 or gbk
	Date1904 bool   // an .xlsx counting days from 1904
}

var (
	errNotSheet = apperr.New(apperr.Invalid, "sheet.not_spreadsheet")
	errOldXLS   = apperr.New(apperr.Invalid, "sheet.old_xls")
	errDamaged  = apperr.New(apperr.Invalid, "sheet.damaged")
	errEncoding = apperr.New(apperr.Invalid, "sheet.bad_encoding")
	// ErrEmpty is a file of no bytes, or of no row that is not empty.
	ErrEmpty = apperr.New(apperr.Invalid, "sheet.empty")
)

// ErrTooLarge is the error of a file larger than MaxBytes.
func ErrTooLarge() error {
	return apperr.New(apperr.TooLarge, "sheet.too_large", MaxBytes>>20)
}

// ErrTooManyRows is the error of a file holding more than MaxRows data rows.
func ErrTooManyRows() error {
	return apperr.New(apperr.TooLarge, "sheet.too_many_rows", MaxRows)
}

// Read reads a spreadsheet file, whatever its kind, and calls fn with
// each row that is not empty, in order; an error from fn stops the read and
// is returned. The kind is decided by the file's bytes, never by its name:
// a zip holding [Content_Types].xml and a workbook is an .xlsx; text
// without NUL bytes is a CSV; anything else is refused.
func Read(data []byte, fn func(info *Info, row Row) error) (*Info, error) {
	if int64(len(data)) > MaxBytes {
		return nil, ErrTooLarge()
	}
	if len(data) == 0 {
		return nil, ErrEmpty
	}
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(data, fn)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		// An OLE compound file: an Excel 97-2003 .xls, or an encrypted workbook.
		return nil, errOldXLS
	}
	return readCSV(data, fn)
}

// xlsxPart finds a part by name; part names are case-insensitive.
type xlsxParts map[string]*zip.File

func (p xlsxParts) open(name string) (io.ReadCloser, error) {
	f, ok := p[strings.ToLower(strings.TrimPrefix(name, "/"))]
	if !ok {
		return nil, errNotSheet
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errDamaged
	}
	return rc, nil
}

// limitedReader fails, rather than stops, when a part unpacks to more than
// its limit, so that a cut-off part is never read as a whole one.
type limitedReader struct {
	r io.Reader
	n int64
}

var errPartTooLarge = apperr.New(apperr.TooLarge, "sheet.unpacks_too_large")

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errPartTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

func (p xlsxParts) decoder(name string) (*xml.Decoder, io.Closer, error) {
	rc, err := p.open(name)
	if err != nil {
		return nil, nil, err
	}
	d := xml.NewDecoder(&limitedReader{r: rc, n: maxPartBytes})
	return d, rc, nil
}

// relationships reads a .rels part: id -> (type, target).
type relationship struct{ Type, Target string }

func (p xlsxParts) relationships(name string) (map[string]relationship, error) {
	d, c, err := p.decoder(name)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	out := map[string]relationship{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, xmlErr(err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Relationship" {
			out[attr(se, "Id")] = relationship{Type: attr(se, "Type"), Target: attr(se, "Target")}
		}
	}
}

func xmlErr(err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	return errDamaged
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// resolve turns a relationship target into a part name.
func resolve(base, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/")
	}
	return path.Join(path.Dir(base), target)
}

func readXLSX(data []byte, fn func(*Info, Row) error) (*Info, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errNotSheet
	}
	parts := xlsxParts{}
	for _, f := range zr.File {
		parts[strings.ToLower(f.Name)] = f
	}
	if _, ok := parts["[content_types].xml"]; !ok {
		return nil, errNotSheet
	}
	// The package's relationships name the workbook.
	wbPath := "xl/workbook.xml"
	if rels, err := parts.relationships("_rels/.rels"); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = resolve("", r.Target)
			}
		}
	} else if _, ok := parts["_rels/.rels"]; ok {
		return nil, err
	}
	info := &Info{Format: "xlsx"}
	sheetID, err := parts.workbook(wbPath, info)
	if err != nil {
		return nil, err
	}
	rels, err := parts.relationships(path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels"))
	if err != nil {
		return nil, err
	}
	sheet, ok := rels[sheetID]
	if !ok {
		return nil, errDamaged
	}
	var sst []string
	for _, r := range rels {
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			if sst, err = parts.sharedStrings(resolve(wbPath, r.Target)); err != nil {
				return nil, err
			}
		}
	}
	return info, parts.rows(resolve(wbPath, sheet.Target), sst, info, fn)
}

// workbook reads the workbook part: the date system and the relationship
// id of its first sheet, the one that holds the data.
func (p xlsxParts) workbook(name string, info *Info) (string, error) {
	d, c, err := p.decoder(name)
	if err != nil {
		return "", err
	}
	defer c.Close()
	first := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", xmlErr(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "workbookPr":
			v := attr(se, "date1904")
			info.Date1904 = v == "1" || v == "true"
		case "sheet":
			if first == "" {
				for _, a := range se.Attr {
					if a.Name.Local == "id" && a.Name.Space != "" {
						first = a.Value
					}
				}
			}
		}
	}
	if first == "" {
		return "", errNotSheet
	}
	return first, nil
}

// sharedStrings reads the shared string table: each item's text runs
// joined, phonetic runs (rPh) left out.
func (p xlsxParts) sharedStrings(name string) ([]string, error) {
	d, c, err := p.decoder(name)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var out []string
	var b strings.Builder
	inSI, phonetic := false, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, xmlErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI = true
				b.Reset()
			case "rPh":
				phonetic++
			case "t":
				if inSI && phonetic == 0 {
					if err := appendText(d, &b); err != nil {
						return nil, err
					}
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if len(out) >= maxSharedStrings {
					return nil, errPartTooLarge
				}
				out = append(out, cut(b.String()))
				inSI = false
			case "rPh":
				phonetic--
			}
		}
	}
}

// appendText reads the character data of the element just opened, up to
// its end, into b, keeping at most MaxCellBytes+1 bytes.
func appendText(d *xml.Decoder, b *strings.Builder) error {
	depth := 1
	for depth > 0 {
		tok, err := d.Token()
		if err != nil {
			return xmlErr(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if room := MaxCellBytes + 1 - b.Len(); room > 0 {
				if len(t) > room {
					t = t[:room]
				}
				b.Write(t)
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// cut keeps at most MaxCellBytes+1 bytes of s (so that a cut is noticed),
// on a character boundary.
func cut(s string) string {
	if len(s) <= MaxCellBytes+1 {
		return s
	}
	s = s[:MaxCellBytes+1]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// columnIndex reads the column letters of a cell reference (AB12 -> 27),
// 0-based; -1 if there are none.
func columnIndex(ref string) int {
	n := 0
	i := 0
	for ; i < len(ref); i++ {
		c := ref[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			break
		}
		n = n*26 + int(c-'A'+1)
		if n > 1<<20 {
			return -1
		}
	}
	if i == 0 {
		return -1
	}
	return n - 1
}

// rows streams the sheet's rows to fn.
func (p xlsxParts) rows(name string, sst []string, info *Info, fn func(*Info, Row) error) error {
	d, c, err := p.decoder(name)
	if err != nil {
		return err
	}
	defer c.Close()
	var row Row
	inRow, col := false, -1
	prevRow := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return xmlErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				n := prevRow + 1
				if r := attr(t, "r"); r != "" {
					v, err := strconv.Atoi(r)
					if err != nil || v < 1 || v > 1<<20 || v <= prevRow {
						return errDamaged
					}
					n = v
				}
				prevRow = n
				row = Row{N: n}
				inRow, col = true, -1
			case "c":
				if !inRow {
					return errDamaged
				}
				if r := attr(t, "r"); r != "" {
					if col = columnIndex(r); col < 0 {
						return errDamaged
					}
				} else {
					col++
				}
				cell, err := readCell(d, t, sst)
				if err != nil {
					return err
				}
				if col >= MaxColumns {
					// Anything further right is an extra column; remember that once.
					if Clean(cell.Text) != "" || cell.Formula {
						col = MaxColumns
						cell = Cell{Text: "…", Long: true}
					} else {
						continue
					}
				}
				for len(row.Cells) < col {
					row.Cells = append(row.Cells, Cell{})
				}
				if col == len(row.Cells) {
					row.Cells = append(row.Cells, cell)
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "row":
				inRow = false
				if !row.Empty() {
					if err := fn(info, row); err != nil {
						return err
					}
				}
			case "sheetData":
				return nil
			}
		}
	}
}

// readCell reads one <c> element, already opened, up to its end.
func readCell(d *xml.Decoder, start xml.StartElement, sst []string) (Cell, error) {
	typ := attr(start, "t")
	var cell Cell
	var v, inline strings.Builder
	hasV := false
	for {
		tok, err := d.Token()
		if err != nil {
			return cell, xmlErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "f":
				cell.Formula = true
				if err := d.Skip(); err != nil {
					return cell, xmlErr(err)
				}
			case "v":
				hasV = true
				if err := appendText(d, &v); err != nil {
					return cell, err
				}
			case "rPh":
				if err := d.Skip(); err != nil {
					return cell, xmlErr(err)
				}
			case "t":
				if err := appendText(d, &inline); err != nil {
					return cell, err
				}
			}
		case xml.EndElement:
			if t.Name.Local != start.Name.Local {
				continue
			}
			switch typ {
			case "s":
				if !hasV {
					break
				}
				i, err := strconv.Atoi(strings.TrimSpace(v.String()))
				if err != nil || i < 0 || i >= len(sst) {
					return cell, errDamaged
				}
				cell.Text = sst[i]
			case "inlineStr":
				cell.Text = inline.String()
			case "", "n":
				cell.Text, cell.Num = numberText(strings.TrimSpace(v.String())), true
			default: // str (a formula's text), b, e (an error such as #N/A), d (an ISO date)
				cell.Text = v.String()
			}
			if len(cell.Text) > MaxCellBytes {
				cell.Text, cell.Long = cellPrefix(cell.Text), true
			}
			return cell, nil
		}
	}
}

// cellPrefix is the first MaxCellBytes bytes of s, on a character boundary.
func cellPrefix(s string) string {
	s = s[:MaxCellBytes]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// readCSV decodes a CSV file and calls fn with its rows.
func readCSV(data []byte, fn func(*Info, Row) error) (*Info, error) {
	info := &Info{Format: "csv"}
	var text []byte
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		text, info.Encoding = data[3:], "utf-8"
	case bytes.HasPrefix(data, []byte("\xff\xfe")), bytes.HasPrefix(data, []byte("\xfe\xff")):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		out, _, err := transform.Bytes(dec, data)
		if err != nil {
			return nil, errEncoding
		}
		text, info.Encoding = out, "utf-16"
	case utf8.Valid(data):
		text, info.Encoding = data, "utf-8"
	default:
		// GB18030 decodes GBK and GB2312 too; bytes that are none of them
		// come out as U+FFFD.
		out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
		if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
			if bytes.IndexByte(data, 0) >= 0 {
				return nil, errNotSheet
			}
			return nil, errEncoding
		}
		text, info.Encoding = out, "gbk"
	}
	if bytes.IndexByte(text, 0) >= 0 || bytes.ContainsRune(text, utf8.RuneError) && info.Encoding == "utf-16" {
		return nil, errNotSheet
	}
	if binaryText(text) {
		return nil, errNotSheet
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = sniffDelimiter(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	// Rows are numbered as a spreadsheet shows the file: a blank line (which
	// the CSV reader skips) is a row, a record spanning lines (a quoted cell
	// holding line breaks) is one.
	n, lastLine := 0, 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return info, nil
		}
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "sheet.bad_csv", n+1)
		}
		first, _ := r.FieldPos(0)
		n += 1 + max(0, first-lastLine-1)
		end, _ := r.FieldPos(len(rec) - 1)
		lastLine = end + strings.Count(rec[len(rec)-1], "\n")
		row := Row{N: n, Cells: make([]Cell, 0, len(rec))}
		for i, f := range rec {
			if i >= MaxColumns {
				if Clean(f) != "" {
					row.Cells = append(row.Cells, Cell{Text: "…", Long: true})
					break
				}
				continue
			}
			c := Cell{Text: f}
			if len(f) > MaxCellBytes {
				c.Text, c.Long = cellPrefix(f), true
			}
			// A CSV has no formula cells, but Excel runs text that starts
			// with = as one when it opens the file.
			c.Formula = strings.HasPrefix(Clean(f), "=")
			row.Cells = append(row.Cells, c)
		}
		if !row.Empty() {
			if err := fn(info, row); err != nil {
				return nil, err
			}
		}
	}
}

// binaryText reports whether decoded text holds control characters that no
// spreadsheet's text has (a binary file that happened to decode).
func binaryText(text []byte) bool {
	head := text
	if len(head) > 8192 {
		head = head[:8192]
	}
	bad := 0
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			bad++
		}
	}
	return bad > 0
}

// sniffDelimiter picks the separator of the first line: a comma unless tabs
// or semicolons are more frequent there.
func sniffDelimiter(text []byte) rune {
	line := text
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	commas, tabs, semis := bytes.Count(line, []byte(",")), bytes.Count(line, []byte("\t")), bytes.Count(line, []byte(";"))
	switch {
	case tabs > commas && tabs >= semis:
		return '\t'
	case semis > commas && semis > tabs:
		return ';'
	}
	return ','
}
