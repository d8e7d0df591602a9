package config

import "os"

// Catalog configures the brand and product catalogue (see package catalog for its format).
type Catalog struct {
	// File is the catalogue YAML. It is loaded at start and written to the catalog_entities table, and the
	// entities stage finds its brands and products in every post. Default none: no entity recognition.
	File string `yaml:"file"`
}

func (c *Catalog) validate(bad func(field, format string, args ...any)) {
	if c.File == "" {
		return
	}
	st, err := os.Stat(c.File)
	switch {
	case err != nil:
		bad("catalog.file", "%v", err)
	case st.IsDir():
		bad("catalog.file", "%q is a directory, not a catalogue file", c.File)
	}
}
