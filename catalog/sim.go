package catalog

import (
	_ "embed" // the simulator's catalogue is built in
)

//go:embed sim.yml
var simYAML []byte

// SimYAML returns the catalogue of the simulator's fictional brands (catalog/sim.yml, kept in sync with
// sim.Brands() by a test), which `rapport demo` uses.
func SimYAML() []byte { return append([]byte(nil), simYAML...) }
