package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// eraseCmd removes one author's personal data on request and says what it removed.
func eraseCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("erase", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "YAML configuration file")
	network := fs.String("network", "", "network of the author (x, mastodon, reddit, …); required")
	author := fs.String("author", "", "the author's network user id; required")
	settle := fs.Duration("settle", erasureRefresh+2*time.Second, "wait between recording the erasure and deleting, so running pipelines have stopped storing the author")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *network == "" || *author == "" {
		return fmt.Errorf("-network and -author are required")
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
	e, err := clickhouse.Erase(ctx, conn, *network, *author, *settle)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"network": e.Network, "author_id": e.AuthorID, "posts_removed": e.Posts, "rows_removed": e.Rows,
		"future_posts": "dropped by the pipeline",
	})
}
