package dedup

import (
	"fmt"
	"time"
)

// Config tunes the stage. Zero fields take the defaults of DefaultConfig.
type Config struct {
	// Horizon is how far back in event time the stage remembers posts: redeliveries, copies and
	// cross-posts of posts older than this are not recognised.
	Horizon time.Duration
	// MaxRedeliveryEntries caps the (post, version) pairs remembered per Kafka partition for recognising
	// redeliveries (about 60 bytes each); the oldest are forgotten first.
	MaxRedeliveryEntries int
	// MaxTextEntries caps the texts remembered for near-duplicate and cross-network matching, over all
	// partitions (about 400 bytes each); the oldest are forgotten first.
	MaxTextEntries int
	// Threshold is the estimated Jaccard similarity of two texts' word-pair sets from which they are
	// near-duplicates.
	Threshold float64
	// MinWords: texts with fewer normalized words are never near-duplicates ("thanks!", "interesting take"
	// are written independently by many people).
	MinWords int
	// ShortWords: texts with fewer normalized words (but at least MinWords) match only when their
	// normalized words are identical; longer ones match from Threshold.
	ShortWords int
	// MaxCandidates caps the earlier texts examined in each LSH bucket, newest first, so that a text
	// repeated thousands of times costs no more than this.
	MaxCandidates int
	// ClusterAuthors is how many distinct authors (the post's included) must have posted the text within
	// ClusterWindow before a copy counts as a near-duplicate, and only when the copying is corroborated:
	// the text has at least LongWords words (nobody writes that much identically by chance), or at least
	// two, and more than half, of the cluster's posts within the window whose author profile says anything
	// come from disposable-looking accounts (created less than NewAccount before the post and with fewer
	// than FewFollowers followers, as far as the network tells).
	ClusterAuthors int
	ClusterWindow  time.Duration
	LongWords      int
	NewAccount     time.Duration
	FewFollowers   int64
	// A near-duplicate cluster is flagged as spam when at least SpamAuthors distinct authors posted it
	// within SpamWindow with the same disposable-account majority.
	SpamAuthors int
	SpamWindow  time.Duration
	// CrossWindow is how close in time, and CrossThreshold how similar, the same author's texts on two
	// networks must be to count as a cross-post: one person writes similar sentences on different networks
	// often, the same text within minutes when cross-posting. Texts under ShortWords words are never
	// cross-posts: a short reply is too generic to tie; texts under CrossExactWords words must match word for
	// word.
	CrossWindow     time.Duration
	CrossThreshold  float64
	CrossExactWords int
}

// DefaultConfig returns the defaults: a 6-hour horizon, 1,000,000 redelivery entries per partition, 200,000
// texts, similarity 0.6, texts under 6 words ignored and under 12 words matched exactly, 32 candidates per
// bucket, near-duplicates from 2 authors within an hour corroborated by 50 words or by accounts younger
// than 90 days with under 50 followers, spam from 3 such authors within an hour, and cross-posts from
// similarity 0.8 (word for word under 16 words) within 5 minutes.
func DefaultConfig() Config {
	return Config{
		Horizon:              6 * time.Hour,
		MaxRedeliveryEntries: 1_000_000,
		MaxTextEntries:       200_000,
		Threshold:            0.6,
		MinWords:             6,
		ShortWords:           12,
		MaxCandidates:        32,
		ClusterAuthors:       2,
		ClusterWindow:        time.Hour,
		LongWords:            50,
		NewAccount:           90 * 24 * time.Hour,
		FewFollowers:         50,
		SpamAuthors:          3,
		SpamWindow:           time.Hour,
		CrossWindow:          5 * time.Minute,
		CrossThreshold:       0.8,
		CrossExactWords:      16,
	}
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	d := DefaultConfig()
	if c.Horizon == 0 {
		c.Horizon = d.Horizon
	}
	if c.MaxRedeliveryEntries == 0 {
		c.MaxRedeliveryEntries = d.MaxRedeliveryEntries
	}
	if c.MaxTextEntries == 0 {
		c.MaxTextEntries = d.MaxTextEntries
	}
	if c.Threshold == 0 {
		c.Threshold = d.Threshold
	}
	if c.MinWords == 0 {
		c.MinWords = d.MinWords
	}
	if c.ShortWords == 0 {
		c.ShortWords = d.ShortWords
	}
	if c.MaxCandidates == 0 {
		c.MaxCandidates = d.MaxCandidates
	}
	if c.ClusterAuthors == 0 {
		c.ClusterAuthors = d.ClusterAuthors
	}
	if c.ClusterWindow == 0 {
		c.ClusterWindow = d.ClusterWindow
	}
	if c.LongWords == 0 {
		c.LongWords = d.LongWords
	}
	if c.CrossWindow == 0 {
		c.CrossWindow = d.CrossWindow
	}
	if c.CrossThreshold == 0 {
		c.CrossThreshold = d.CrossThreshold
	}
	if c.CrossExactWords == 0 {
		c.CrossExactWords = d.CrossExactWords
	}
	if c.SpamAuthors == 0 {
		c.SpamAuthors = d.SpamAuthors
	}
	if c.SpamWindow == 0 {
		c.SpamWindow = d.SpamWindow
	}
	if c.NewAccount == 0 {
		c.NewAccount = d.NewAccount
	}
	if c.FewFollowers == 0 {
		c.FewFollowers = d.FewFollowers
	}
	return c
}

// Validate returns an error naming the first field out of range (field names as in the YAML `dedup:`
// section).
func (c Config) Validate() error {
	switch {
	case c.Horizon <= 0:
		return fmt.Errorf("dedup.horizon: must be a positive duration, got %s", c.Horizon)
	case c.MaxRedeliveryEntries < 1 || c.MaxRedeliveryEntries > 100_000_000:
		return fmt.Errorf("dedup.max_redelivery_entries: must be between 1 and 100000000, got %d", c.MaxRedeliveryEntries)
	case c.MaxTextEntries < 1 || c.MaxTextEntries > 50_000_000:
		return fmt.Errorf("dedup.max_text_entries: must be between 1 and 50000000, got %d", c.MaxTextEntries)
	case c.Threshold <= 0 || c.Threshold > 1:
		return fmt.Errorf("dedup.threshold: must be in (0, 1], got %g", c.Threshold)
	case c.MinWords < 2:
		return fmt.Errorf("dedup.min_words: must be at least 2, got %d", c.MinWords)
	case c.ShortWords < c.MinWords:
		return fmt.Errorf("dedup.short_words: must be at least dedup.min_words (%d), got %d", c.MinWords, c.ShortWords)
	case c.MaxCandidates < 1:
		return fmt.Errorf("dedup.max_candidates: must be at least 1, got %d", c.MaxCandidates)
	case c.ClusterAuthors < 2 || c.ClusterAuthors > maxMembers:
		return fmt.Errorf("dedup.cluster_authors: must be between 2 and %d, got %d", maxMembers, c.ClusterAuthors)
	case c.ClusterWindow <= 0:
		return fmt.Errorf("dedup.cluster_window: must be a positive duration, got %s", c.ClusterWindow)
	case c.LongWords < c.ShortWords:
		return fmt.Errorf("dedup.long_words: must be at least dedup.short_words (%d), got %d", c.ShortWords, c.LongWords)
	case c.CrossWindow <= 0:
		return fmt.Errorf("dedup.cross_window: must be a positive duration, got %s", c.CrossWindow)
	case c.CrossThreshold < c.Threshold || c.CrossThreshold > 1:
		return fmt.Errorf("dedup.cross_threshold: must be between dedup.threshold (%g) and 1, got %g", c.Threshold, c.CrossThreshold)
	case c.CrossExactWords < c.ShortWords:
		return fmt.Errorf("dedup.cross_exact_words: must be at least dedup.short_words (%d), got %d", c.ShortWords, c.CrossExactWords)
	case c.SpamAuthors < 2 || c.SpamAuthors > maxMembers:
		return fmt.Errorf("dedup.spam_authors: must be between 2 and %d, got %d", maxMembers, c.SpamAuthors)
	case c.SpamWindow <= 0:
		return fmt.Errorf("dedup.spam_window: must be a positive duration, got %s", c.SpamWindow)
	case c.NewAccount < 0:
		return fmt.Errorf("dedup.new_account: must not be negative, got %s", c.NewAccount)
	case c.FewFollowers < 0:
		return fmt.Errorf("dedup.few_followers: must not be negative, got %d", c.FewFollowers)
	}
	return nil
}
