package app_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// layer is where a package of the module stands: cmd (0) imports app (1),
// app imports the modules (2), modules import the platform (3); nothing
// imports up, and a module imports another module only if that one is
// opened before it.
func layer(pkg string) int {
	switch {
	case strings.HasPrefix(pkg, "grassroots/cmd"):
		return 0
	case pkg == "grassroots/internal/app" || strings.HasPrefix(pkg, "grassroots/internal/app/"):
		return 1
	case strings.HasPrefix(pkg, "grassroots/internal/platform"):
		return 3
	}
	return 2
}

// importViolations lists the imports under root (the repository) that go
// against the direction cmd → app → modules → platform.
func importViolations(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := "grassroots/" + filepath.ToSlash(rel)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			dep, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(dep, "grassroots/") || strings.HasPrefix(dep, pkg+"/") {
				continue
			}
			// A test of app may start the app (apptest) from below it.
			if layer(dep) < layer(pkg) && !(strings.HasSuffix(path, "_test.go") && layer(dep) == 1) {
				out = append(out, filepath.ToSlash(rel)+"/"+filepath.Base(path)+" imports "+dep)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportsGoOneWay checks the repository's imports go from cmd to app
// to the modules to the platform, never back.
func TestImportsGoOneWay(t *testing.T) {
	for _, v := range importViolations(t, filepath.Join("..", "..")) {
		t.Errorf("%s, against cmd → app → modules → platform", v)
	}
}

// TestImportsGoOneWayCatchesAWrongImport checks the check: a platform
// package that imports a module, or a module that imports app, is named.
func TestImportsGoOneWayCatchesAWrongImport(t *testing.T) {
	root := t.TempDir()
	write := func(path, src string) {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, path), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("internal/platform/web/bad.go", "package web\nimport _ \"grassroots/internal/org\"\n")
	write("internal/org/bad.go", "package org\nimport _ \"grassroots/internal/app\"\n")
	write("internal/org/good.go", "package org\nimport _ \"grassroots/internal/platform/web\"\n")
	got := strings.Join(importViolations(t, root), "\n")
	for _, want := range []string{"internal/platform/web/bad.go imports grassroots/internal/org", "internal/org/bad.go imports grassroots/internal/app"} {
		if !strings.Contains(got, want) {
			t.Errorf("not caught: %s (got %q)", want, got)
		}
	}
	if strings.Contains(got, "good.go") {
		t.Errorf("a right import was named: %q", got)
	}
}
