package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rapport-dev/rapport/catalog"
)

// demoCatalog returns the catalogue file of the demo: path when given, else the simulator's built-in
// catalogue written to a temporary file.
func demoCatalog(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	// Written under a temporary name and renamed, so a demo starting at the same moment never reads half.
	f := filepath.Join(os.TempDir(), "rapport-demo-catalog.yml")
	tmp, err := os.CreateTemp(os.TempDir(), "rapport-demo-catalog-*.yml")
	if err != nil {
		return "", fmt.Errorf("writing the demo catalogue: %w", err)
	}
	_, err = tmp.Write(catalog.SimYAML())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("writing the demo catalogue: %w", err)
	}
	return f, nil
}
