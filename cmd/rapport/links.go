package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/identity"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

const linksUsage = `usage:
  rapport links list    [-status S] [-network N] [-author ID] [-customer C] [-limit N]   current state of pairs
  rapport links review  [-network N] [-limit N]                                         the review queue
  rapport links confirm|reject|unlink -network N -author ID -customer C [-by NAME]      an analyst's decision
  rapport links history -network N -author ID [-customer C]                             every version of the pairs

Each pair prints as one JSON line with its status, probability and evidence. A decision is a new version
that outranks every automatic one: a rejected or unlinked pair is never linked automatically again, and a
confirmed one is never changed by the pipeline (decided_by is -by, else $USER)`

func linksCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New(linksUsage)
	}
	sub := args[0]
	fs := flag.NewFlagSet("links "+sub, flag.ContinueOnError)
	cfgPath := fs.String("config", "", "YAML configuration file")
	var f clickhouse.LinkFilter
	fs.StringVar(&f.Network, "network", "", "network of the author")
	fs.StringVar(&f.AuthorID, "author", "", "network user id of the author")
	fs.StringVar(&f.CustomerID, "customer", "", "CRM customer id")
	fs.StringVar(&f.Status, "status", "", "list: only pairs whose current status is this (auto, review, confirmed, rejected, unlinked)")
	fs.IntVar(&f.Limit, "limit", 100, "list, review: most pairs printed, most probable first; 0 for all")
	by := fs.String("by", os.Getenv("USER"), "confirm, reject, unlink: who decides")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	conn, err := clickhouse.Open(ctx, connConfig(cfg), false)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	return runLinks(ctx, conn, os.Stdout, sub, f, *by, time.Now())
}

// runLinks carries out one links subcommand.
func runLinks(ctx context.Context, conn driver.Conn, w io.Writer, sub string, f clickhouse.LinkFilter, by string, now time.Time) error {
	switch sub {
	case "list", "review":
		if sub == "review" {
			f.Status = identity.StatusReview
		}
		links, err := clickhouse.LinkStates(ctx, conn, f)
		if err != nil {
			return err
		}
		return printLinks(w, links)
	case "history":
		if f.Network == "" || f.AuthorID == "" {
			return errors.New("links history: -network and -author are required")
		}
		links, err := clickhouse.LinkHistory(ctx, conn, f)
		if err != nil {
			return err
		}
		return printLinks(w, links)
	case "confirm", "reject", "unlink":
		if f.Network == "" || f.AuthorID == "" || f.CustomerID == "" {
			return fmt.Errorf("links %s: -network, -author and -customer are required", sub)
		}
		if by == "" {
			return fmt.Errorf("links %s: -by is required when $USER is not set", sub)
		}
		f.Status, f.Limit = "", 0
		cur, err := clickhouse.LinkStates(ctx, conn, f)
		if err != nil {
			return err
		}
		status := map[string]string{"confirm": identity.StatusConfirmed, "reject": identity.StatusRejected, "unlink": identity.StatusUnlinked}[sub]
		l := identity.Link{Network: f.Network, AuthorID: f.AuthorID, CustomerID: f.CustomerID, Status: status,
			DecidedBy: by, Version: identity.LinkVersion(true, now), UpdatedAt: now.UTC().Truncate(time.Second)}
		if len(cur) == 1 {
			l.Probability, l.Evidence = cur[0].Probability, cur[0].Evidence
			if cur[0].Status == status {
				return fmt.Errorf("links %s: the pair is already %s (by %s)", sub, status, cur[0].DecidedBy)
			}
		}
		if sub == "unlink" && (len(cur) == 0 || (cur[0].Status != identity.StatusAuto && cur[0].Status != identity.StatusConfirmed)) {
			return fmt.Errorf("links unlink: the pair is not linked (use reject to keep it from being linked)")
		}
		if err := clickhouse.WriteLinks(ctx, conn, []identity.Link{l}); err != nil {
			return err
		}
		return printLinks(w, []identity.Link{l})
	default:
		return fmt.Errorf("unknown subcommand %q\n%s", sub, linksUsage)
	}
}

func printLinks(w io.Writer, links []identity.Link) error {
	enc := json.NewEncoder(w)
	for _, l := range links {
		if err := enc.Encode(map[string]any{
			"network": l.Network, "author_id": l.AuthorID, "customer_id": l.CustomerID, "status": l.Status,
			"probability": l.Probability, "evidence": l.Evidence, "decided_by": l.DecidedBy, "version": l.Version,
			"updated_at": l.UpdatedAt.UTC().Format(time.RFC3339),
		}); err != nil {
			return err
		}
	}
	return nil
}
