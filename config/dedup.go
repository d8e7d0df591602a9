package config

import (
	"strings"
	"time"

	"github.com/rapport-dev/rapport/processors/dedup"
)

// Dedup configures the deduplication stage (see processors/dedup). Memory is about 60 bytes per
// redelivery entry and 400 bytes per text entry.
type Dedup struct {
	Horizon              time.Duration `yaml:"horizon"`                // how far back in event time posts are remembered; default 6h
	MaxRedeliveryEntries int           `yaml:"max_redelivery_entries"` // post versions remembered per Kafka partition; default 1000000
	MaxTextEntries       int           `yaml:"max_text_entries"`       // texts remembered for near-duplicate matching, all partitions; default 200000
	Threshold            float64       `yaml:"threshold"`              // estimated Jaccard similarity (words and word pairs) of near-duplicates; default 0.6
	MinWords             int           `yaml:"min_words"`              // texts with fewer normalized words are never near-duplicates; default 6
	ShortWords           int           `yaml:"short_words"`            // texts with fewer words must match word for word; default 12
	LongWords            int           `yaml:"long_words"`             // texts with at least this many words need no account evidence to be copies; default 50
	MaxCandidates        int           `yaml:"max_candidates"`         // earlier texts examined per LSH bucket; default 32
	ClusterAuthors       int           `yaml:"cluster_authors"`        // distinct authors within cluster_window before copies are near-duplicates; default 2
	ClusterWindow        time.Duration `yaml:"cluster_window"`         // default 1h
	NewAccount           time.Duration `yaml:"new_account"`            // accounts younger than this (with few followers) look disposable; default 2160h (90 days)
	FewFollowers         int           `yaml:"few_followers"`          // accounts with fewer followers (and new) look disposable; default 50
	SpamAuthors          int           `yaml:"spam_authors"`           // distinct authors within spam_window for the spam flag; default 3
	SpamWindow           time.Duration `yaml:"spam_window"`            // default 1h
	CrossWindow          time.Duration `yaml:"cross_window"`           // longest gap between an author's copies on two networks; default 5m
	CrossThreshold       float64       `yaml:"cross_threshold"`        // similarity of an author's copies on two networks; default 0.8
	CrossExactWords      int           `yaml:"cross_exact_words"`      // cross-posts with fewer words must match word for word; default 16
}

// Stage returns the stage's configuration.
func (d Dedup) Stage() dedup.Config {
	return dedup.Config{
		Horizon: d.Horizon, MaxRedeliveryEntries: d.MaxRedeliveryEntries, MaxTextEntries: d.MaxTextEntries,
		Threshold: d.Threshold, MinWords: d.MinWords, ShortWords: d.ShortWords, LongWords: d.LongWords,
		MaxCandidates: d.MaxCandidates, ClusterAuthors: d.ClusterAuthors, ClusterWindow: d.ClusterWindow,
		NewAccount: d.NewAccount, FewFollowers: int64(d.FewFollowers), SpamAuthors: d.SpamAuthors,
		SpamWindow: d.SpamWindow, CrossWindow: d.CrossWindow, CrossThreshold: d.CrossThreshold, CrossExactWords: d.CrossExactWords,
	}
}

// setDefaults fills every unset field with the stage's default.
func (d *Dedup) setDefaults() {
	def := dedup.DefaultConfig()
	setDuration(&d.Horizon, def.Horizon)
	setInt(&d.MaxRedeliveryEntries, def.MaxRedeliveryEntries)
	setInt(&d.MaxTextEntries, def.MaxTextEntries)
	setFloat(&d.Threshold, def.Threshold)
	setInt(&d.MinWords, def.MinWords)
	setInt(&d.ShortWords, def.ShortWords)
	setInt(&d.LongWords, def.LongWords)
	setInt(&d.MaxCandidates, def.MaxCandidates)
	setInt(&d.ClusterAuthors, def.ClusterAuthors)
	setDuration(&d.ClusterWindow, def.ClusterWindow)
	setDuration(&d.NewAccount, def.NewAccount)
	setInt(&d.FewFollowers, int(def.FewFollowers))
	setInt(&d.SpamAuthors, def.SpamAuthors)
	setDuration(&d.SpamWindow, def.SpamWindow)
	setDuration(&d.CrossWindow, def.CrossWindow)
	setFloat(&d.CrossThreshold, def.CrossThreshold)
	setInt(&d.CrossExactWords, def.CrossExactWords)
}

func setFloat(p *float64, v float64) {
	if *p == 0 {
		*p = v
	}
}

// check reports the first invalid field (the stage's rules, with the section's field names).
func (d Dedup) check(bad func(field, format string, args ...any)) {
	if err := d.Stage().Validate(); err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		bad(field, "%s", msg)
	}
}
