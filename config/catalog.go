package config

import (
	"os"
	"time"
)

// Catalog configures the brand and product catalogue (see package catalog for its format).
type Catalog struct {
	// File is the catalogue YAML. It is loaded at start and written to the catalog_entities table, and the
	// entities stage finds its brands and products in every post. Default none: no entity recognition.
	File string `yaml:"file"`

	// Thread inheritance (see processors/entities): a reply, quote or repost that names no entity takes those
	// of the post it answers when that post was created at most ThreadHorizon earlier and is still among the
	// ThreadMaxPosts most recent posts the stage remembers.
	ThreadHorizon  time.Duration `yaml:"thread_horizon"`   // event-time window of a parent; default 72h; between 1m and 8760h
	ThreadMaxPosts int           `yaml:"thread_max_posts"` // posts remembered per process (~150 bytes each); default 500000; -1 disables inheritance
	ThreadLookup   *bool         `yaml:"thread_lookup"`    // ask ClickHouse for parents the cache misses, one query per batch; default true
	// ThreadPrefetch starts those look-ups early in the stage chain, in the background, so the entities stage
	// rarely waits for them; it asks for somewhat more parents (also those of posts that name an entity).
	ThreadPrefetch *bool `yaml:"thread_prefetch"` // default true; only with thread_lookup
}

func (c *Catalog) setDefaults() {
	setDuration(&c.ThreadHorizon, 72*time.Hour)
	setInt(&c.ThreadMaxPosts, 500000)
	if c.ThreadLookup == nil {
		t := true
		c.ThreadLookup = &t
	}
	if c.ThreadPrefetch == nil {
		t := true
		c.ThreadPrefetch = &t
	}
}

func (c *Catalog) validate(bad func(field, format string, args ...any)) {
	if c.ThreadHorizon < time.Minute || c.ThreadHorizon > 8760*time.Hour {
		bad("catalog.thread_horizon", "must be between 1m and 8760h, got %s", c.ThreadHorizon)
	}
	if c.ThreadMaxPosts != -1 && (c.ThreadMaxPosts < 1 || c.ThreadMaxPosts > 100_000_000) {
		bad("catalog.thread_max_posts", "must be -1 (off) or between 1 and 100000000, got %d", c.ThreadMaxPosts)
	}
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
