package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/rapport-dev/rapport/sim"
)

// writeSimCRM writes the generator's CRM export to path and its truth to path.truth.csv.
func writeSimCRM(g *sim.Generator, path string) error {
	customers := g.CRM(sim.CRMOptions{})
	write := func(path string, fn func(*bufio.Writer) error) error {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("-crm: %w", err)
		}
		w := bufio.NewWriter(f)
		if err := fn(w); err != nil {
			_ = f.Close()
			return fmt.Errorf("writing %s: %w", path, err)
		}
		if err := w.Flush(); err != nil {
			_ = f.Close()
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return f.Close()
	}
	if err := write(path, func(w *bufio.Writer) error { return sim.WriteCRM(w, customers) }); err != nil {
		return err
	}
	if err := write(path+".truth.csv", func(w *bufio.Writer) error { return sim.WriteCRMTruth(w, customers) }); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "simulate: wrote %d CRM customers to %s (truth in %s.truth.csv)\n", len(customers), path, path)
	return nil
}
