package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// Static serves the embedded static files under content-hashed URLs
// (/static/<hash>/<name>) that browsers may cache for a year.
type Static struct {
	fsys   fs.FS
	hashes map[string]string // name -> short content hash
}

// NewStatic indexes the embedded static files.
func NewStatic() *Static {
	sub, _ := fs.Sub(staticFiles, "static")
	s := &Static{fsys: sub, hashes: map[string]string{}}
	_ = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		s.hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return s
}

// URL returns the hashed URL of a static file; an unknown name panics, so
// that a page referring to a missing file fails its first test.
func (s *Static) URL(name string) string {
	h, ok := s.hashes[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + h + "/" + name
}

// ServeHTTP serves /static/<hash>/<name>.
func (s *Static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/static/")
	hash, name, ok := strings.Cut(rest, "/")
	want, known := s.hashes[name]
	if !ok || !known {
		http.NotFound(w, r)
		return
	}
	data, err := fs.ReadFile(s.fsys, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	if hash == want {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	_, _ = w.Write(data)
}
