package config

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// PII configures the keyed hashing of personal data (identity/pii): e-mail addresses and phone numbers are
// kept only as HMAC-SHA-256 under this key, by the pipeline and by `rapport customers` alike, so all of them
// must use the same key.
type PII struct {
	Key     string `yaml:"key"`      // hashing key, at least 16 bytes; default none; prefer key_file or RAPPORT_PII_KEY. Never logged.
	KeyFile string `yaml:"key_file"` // file holding the key (one trailing newline is dropped); default none
}

// String never shows the key.
func (p PII) String() string {
	if p.Key == "" {
		return "pii{key: unset}"
	}
	return "pii{key: set}"
}

// GoString never shows the key.
func (p PII) GoString() string { return p.String() }

// Customers configures the CRM customer directory and the linking of social authors to customers.
type Customers struct {
	Link            *bool         `yaml:"link"`             // run the link stage (needs pii.key); default false
	Topic           string        `yaml:"topic"`            // compacted topic of CRM customers; default crm.customers
	Refresh         time.Duration `yaml:"refresh"`          // how often the link stage reloads the directory and analysts' decisions; default 1m
	LinkThreshold   float64       `yaml:"link_threshold"`   // probability for an automatic link; default 0.9
	ReviewThreshold float64       `yaml:"review_threshold"` // probability for the review queue; default 0.5
	CacheAuthors    int           `yaml:"cache_authors"`    // authors whose decisions the link stage remembers; default 100000
}

// LinkEnabled reports whether the link stage runs.
func (c *Customers) LinkEnabled() bool { return c.Link != nil && *c.Link }

func (c *Customers) setDefaults() {
	if c.Link == nil {
		f := false
		c.Link = &f
	}
	setString(&c.Topic, "crm.customers")
	setDuration(&c.Refresh, time.Minute)
	if c.LinkThreshold == 0 {
		c.LinkThreshold = 0.9
	}
	if c.ReviewThreshold == 0 {
		c.ReviewThreshold = 0.5
	}
	setInt(&c.CacheAuthors, 100000)
}

// loadPIIKey reads pii.key_file when pii.key is not set.
func (c *Config) loadPIIKey() error {
	if c.PII.KeyFile == "" || c.PII.Key != "" {
		return nil
	}
	data, err := os.ReadFile(c.PII.KeyFile)
	if err != nil {
		return fmt.Errorf("pii.key_file: %w", err)
	}
	c.PII.Key = strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	return nil
}

func (c *Config) validateCustomers(bad func(string, string, ...any)) {
	cu := &c.Customers
	if cu.LinkEnabled() && len(c.PII.Key) < 16 {
		bad("pii.key", "must be at least 16 bytes when customers.link is on, got %d bytes (set pii.key, pii.key_file or RAPPORT_PII_KEY)", len(c.PII.Key))
	}
	if c.PII.Key != "" && len(c.PII.Key) < 16 {
		bad("pii.key", "must be at least 16 bytes, got %d", len(c.PII.Key))
	}
	if strings.TrimSpace(cu.Topic) == "" {
		bad("customers.topic", "must not be blank")
	}
	checkPositive(bad, "customers.refresh", cu.Refresh)
	if !(cu.LinkThreshold > 0 && cu.LinkThreshold <= 1) {
		bad("customers.link_threshold", "must be in (0, 1], got %g", cu.LinkThreshold)
	}
	if !(cu.ReviewThreshold > 0 && cu.ReviewThreshold <= cu.LinkThreshold) {
		bad("customers.review_threshold", "must be in (0, customers.link_threshold], got %g", cu.ReviewThreshold)
	}
	checkRange(bad, "customers.cache_authors", cu.CacheAuthors, 1, 100_000_000)
}
