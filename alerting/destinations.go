package alerting

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/twmb/franz-go/pkg/kgo"
)

// KafkaDestination produces each notice as JSON to a topic, keyed by alert id (so one alert's notices
// stay in order on one partition), with the event in the header rapport-alert-event.
type KafkaDestination struct {
	Client *kgo.Client
	Topic  string
}

// Name implements Destination.
func (k *KafkaDestination) Name() string { return "kafka" }

// Deliver implements Destination.
func (k *KafkaDestination) Deliver(ctx context.Context, n Notice) error {
	b, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encoding alert %s: %w: %w", n.ID, err, ErrPermanent)
	}
	rec := &kgo.Record{Topic: k.Topic, Key: []byte(n.ID), Value: b,
		Headers: []kgo.RecordHeader{{Key: "rapport-alert-event", Value: []byte(n.Event)}}}
	if err := k.Client.ProduceSync(ctx, rec).FirstErr(); err != nil {
		return fmt.Errorf("producing alert %s to %s: %w", n.ID, k.Topic, err)
	}
	return nil
}

// ClickHouseDestination writes each notice as a row of the alerts table (0050_alerts.sql). The table is
// a ReplacingMergeTree on alert_id: a replayed notice replaces its twin, a resolution (higher version)
// replaces the firing row. Read it `FROM alerts FINAL`.
type ClickHouseDestination struct {
	Conn driver.Conn
}

// Name implements Destination.
func (c *ClickHouseDestination) Name() string { return "clickhouse" }

const alertColumns = "alert_id, scope, brand, product, network, severity, state, started_at, fired_at, resolved_at, " +
	"negative, total, negative_share, baseline_share, score, summary, top_post_uids, top_phrases, top_authors, top_networks, version"

// Deliver implements Destination.
func (c *ClickHouseDestination) Deliver(ctx context.Context, n Notice) (err error) {
	b, err := c.Conn.PrepareBatch(ctx, "INSERT INTO alerts ("+alertColumns+")")
	if err != nil {
		return fmt.Errorf("preparing alert insert: %w", err)
	}
	defer func() {
		if err != nil {
			_ = b.Abort()
		}
	}()
	d := &n.Drivers
	uids := make([]uint64, 0, len(d.TopPosts))
	for _, p := range d.TopPosts {
		uids = append(uids, p.UID)
	}
	names := func(cs []Count) []string {
		out := make([]string, 0, len(cs))
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	authors := make([]string, 0, len(d.Influencers))
	for _, a := range d.Influencers {
		authors = append(authors, a.Network+":"+a.Handle)
	}
	resolved := n.ResolvedAt
	if resolved.IsZero() {
		resolved = time.Unix(0, 0)
	}
	if err = b.Append(n.ID, n.ScopeKey, n.Brand, n.Product, n.Network, n.Severity, n.State,
		n.StartedAt.UTC(), n.FiredAt.UTC(), resolved.UTC(), uint32(max(n.Negative, 0)), uint32(max(n.Total, 0)),
		float32(n.NegativeShare), float32(n.BaselineShare), float32(n.Peak), n.Summary,
		uids, names(d.Phrases), authors, names(d.Networks), n.Version); err != nil {
		return fmt.Errorf("appending alert %s: %w", n.ID, err)
	}
	if err = b.Send(); err != nil {
		return fmt.Errorf("inserting alert %s: %w", n.ID, err)
	}
	return nil
}

// WebhookDestination posts each notice to an HTTP receiver in one of three formats:
//
//   - "slack": a Slack incoming-webhook message ({"text": …, "blocks": […]}), also accepted by
//     Mattermost and Rocket.Chat;
//   - "alertmanager": a list of one alert as Alertmanager's API v2 takes it at /api/v2/alerts
//     (labels, annotations, startsAt, endsAt, generatorURL), so Alertmanager groups, silences and
//     routes Rapport's alerts with the rest;
//   - "json": the notice itself.
//
// A 2xx answer is success; 4xx (but 408 and 429) is permanent; anything else is retried.
type WebhookDestination struct {
	URL, Format string
	Client      *http.Client
	Attempts    int
	Timeout     time.Duration
	// GeneratorURL links back to where the alert can be inspected (Grafana); optional.
	GeneratorURL string
}

// Name implements Destination.
func (w *WebhookDestination) Name() string { return "webhook_" + w.Format }

// Limits implements Limited.
func (w *WebhookDestination) Limits() (int, time.Duration) { return w.Attempts, w.Timeout }

// Deliver implements Destination.
func (w *WebhookDestination) Deliver(ctx context.Context, n Notice) error {
	body, err := WebhookPayload(w.Format, n, w.GeneratorURL)
	if err != nil {
		return fmt.Errorf("%w: %w", err, ErrPermanent)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook request: %w: %w", err, ErrPermanent)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "rapport-alerts")
	client := w.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("posting alert %s: %w", n.ID, err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != 408 && resp.StatusCode != 429:
		return fmt.Errorf("posting alert %s: receiver answered %s: %w", n.ID, resp.Status, ErrPermanent)
	}
	return fmt.Errorf("posting alert %s: receiver answered %s", n.ID, resp.Status)
}

// WebhookPayload renders n in format (slack, alertmanager or json).
func WebhookPayload(format string, n Notice, generatorURL string) ([]byte, error) {
	switch format {
	case "json":
		return json.Marshal(n)
	case "slack":
		return json.Marshal(slackMessage(n))
	case "alertmanager":
		return json.Marshal([]amAlert{alertmanagerAlert(n, generatorURL)})
	}
	return nil, fmt.Errorf("webhook format %q: want slack, alertmanager or json", format)
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type string     `json:"type"`
	Text *slackText `json:"text,omitempty"`
}

type slackPayload struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

func slackMessage(n Notice) slackPayload {
	icon := ":warning:"
	switch {
	case n.Event == "resolved":
		icon = ":white_check_mark:"
	case n.Severity == "critical":
		icon = ":rotating_light:"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s *%s*\n", icon, n.Summary)
	if len(n.Drivers.TopPosts) > 0 {
		b.WriteString("*Top posts by reach*\n")
		for _, p := range n.Drivers.TopPosts {
			text := clip(p.Text, 140)
			if p.URL != "" {
				fmt.Fprintf(&b, "• <%s|%s @%s>: %s\n", p.URL, p.Network, p.Author, text)
			} else {
				fmt.Fprintf(&b, "• %s @%s: %s\n", p.Network, p.Author, text)
			}
		}
	}
	if len(n.Drivers.Influencers) > 0 {
		b.WriteString("*Influencers*: ")
		for i, a := range n.Drivers.Influencers {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s @%s (%d followers)", a.Network, a.Handle, a.Followers)
		}
		b.WriteString("\n")
	}
	return slackPayload{Text: n.Summary, Blocks: []slackBlock{{Type: "section", Text: &slackText{Type: "mrkdwn", Text: b.String()}}}}
}

type amAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt,omitzero"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

func alertmanagerAlert(n Notice, generatorURL string) amAlert {
	labels := map[string]string{"alertname": "RapportNegativeSpike", "severity": n.Severity,
		"brand": n.Brand, "scope": n.ScopeKey, "alert_id": n.ID}
	if n.Product != "" {
		labels["product"] = n.Product
	}
	if n.Network != "" {
		labels["network"] = n.Network
	}
	drivers, _ := json.Marshal(n.Drivers)
	a := amAlert{Labels: labels, StartsAt: n.StartedAt.UTC(), GeneratorURL: generatorURL,
		Annotations: map[string]string{"summary": n.Summary, "drivers": string(drivers)}}
	if !n.ResolvedAt.IsZero() {
		a.EndsAt = n.ResolvedAt.UTC()
	}
	return a
}
