// Command rapport is Rapport's one binary: the streaming pipeline and its tools.
//
//	rapport run      [-config FILE]        run the pipeline (Kafka → stages → ClickHouse)
//	rapport demo     [flags]               everything on this machine: embedded Kafka, simulator, pipeline, ClickHouse
//	rapport simulate [flags]               write a synthetic multi-network social stream to Kafka
//	rapport migrate  [-config FILE]        apply ClickHouse schema migrations
//	rapport erase    -network N -author ID remove one author's personal data on request
//	rapport dlq      list|replay [flags]   inspect dead letters, or send them back after a fix
//	rapport influence [-once] [-window 30d] compute author influence into author_influence
//	rapport kpi      -brand B [flags]      trust and loyalty KPIs of a brand, period over period
//
// Configuration comes from a YAML file and RAPPORT_* environment variables (see config.Config).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"run", "run the pipeline: Kafka → stages → ClickHouse", runCmd},
		{"demo", "run everything locally: embedded Kafka, simulator, pipeline, ClickHouse, KPIs", demoCmd},
		{"simulate", "write a synthetic multi-network social stream to Kafka", simulateCmd},
		{"migrate", "apply ClickHouse schema migrations", migrateCmd},
		{"erase", "remove one author's personal data on request", eraseCmd},
		{"dlq", "list dead letters, or replay them to their source topics after a fix", dlqCmd},
		{"alerts", "negative-sentiment spike detection: backtest a CSV series, score on NAB", alertsCmd},
		{"analyze", "score the sentiment of text lines from stdin, one JSON line out per line in", analyzeCmd},
		{"eval", "evaluate the sentiment analyzer or entity recognition on labelled data", evalCmd},
		{"match", "link or deduplicate customer records from CSV (probabilistic, explainable)", matchCmd},
		{"influence", "compute author influence from stored posts into author_influence (once or periodically)", influenceCmd},
		{"customers", "import a CRM export (CSV) or sync the crm.customers topic into the customer directory", customersCmd},
		{"links", "author↔customer links: list the review queue, confirm, reject, unlink, history", linksCmd},
		{"kpi", "trust and loyalty KPIs of a brand over a time range, period over period", kpiCmd},
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: rapport COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(os.Stderr, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(os.Stderr, "\nrun 'rapport COMMAND -h' for a command's flags")
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	name := os.Args[1]
	if name == "-h" || name == "--help" || name == "help" {
		usage()
		return
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := c.run(ctx, os.Args[2:])
		stop()
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return
			}
			fmt.Fprintf(os.Stderr, "rapport %s: %v\n", name, err)
			os.Exit(1)
		}
		return
	}
	fmt.Fprintf(os.Stderr, "rapport: unknown command %q\n\n", name)
	usage()
	os.Exit(2)
}
