package db

import "io/fs"

// Sub returns the subtree of fsys at dir, for embedding a module's
// migrations folder; a missing folder is a programming error and panics.
func Sub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
