package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/rapport-dev/rapport/processors/dedup/dedupeval"
)

// evalDedup runs `rapport eval dedup`: the dedup stage against the simulator's ground truth, one row of
// precision and recall per level.
func evalDedup(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("eval dedup", flag.ContinueOnError)
	fs.SetOutput(w)
	seed := fs.Int64("seed", 7, "simulator seed (the defaults were chosen on seed 1; report other seeds)")
	records := fs.Int("records", 300000, "records to generate (about 100 minutes of event time at the default rate)")
	partitions := fs.Int("partitions", 6, "partitions per topic the records are spread over by key")
	campaignRate := fs.Float64("campaign-rate", 0, "share of records that are spam-campaign posts (0: the simulator's default, 0.01)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *records <= 0 || *partitions <= 0 {
		return fmt.Errorf("eval dedup: -records and -partitions must be positive")
	}
	o := dedupeval.Options{Seed: *seed, Records: *records, Partitions: *partitions}
	o.Sim.CampaignRate = *campaignRate
	r, err := dedupeval.Run(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "dedup against simulator ground truth, seed %d, stage defaults\n", *seed)
	r.Print(w)
	return nil
}
