package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/internal/wiring"
)

func TestRunRejectsBadConfigNamingTheField(t *testing.T) {
	f := func(yml string, env []string, want string) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "rapport.yml")
		if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			t.Setenv(k, v)
		}
		err := runCmd(context.Background(), []string{"-config", path})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("run with %q %v: got error %v; want one containing %q", yml, env, err, want)
		}
	}
	f("kafka:\n  brokers: [nohost]\n", nil, "kafka.brokers[0]")
	f("pipeline:\n  queue_depth: 0\n  batch_size: -1\n", nil, "pipeline.batch_size")
	f("clickhouse:\n  adress: [a:1]\n", nil, "field adress not found")
	f("", []string{"RAPPORT_CLICKHOUSE_FLUSH_INTERVAL=fast"}, "clickhouse.flush_interval (from RAPPORT_CLICKHOUSE_FLUSH_INTERVAL)")
}

func TestHTTPEndpoints(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "rapport_test_total", Help: "test"})
	reg.MustRegister(c)
	c.Add(3)
	var healthy atomic.Bool
	healthy.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	wait, err := serveHTTP(ctx, addr, reg, map[string]readiness{
		"clickhouse": func(context.Context) error {
			if healthy.Load() {
				return nil
			}
			return errors.New("connection refused")
		},
	}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); wait() }()
	get := func(path string) (int, string) {
		t.Helper()
		cl := http.Client{Timeout: 5 * time.Second}
		resp, err := cl.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "rapport_test_total 3") {
		t.Errorf("/metrics: got %d %q; want 200 with rapport_test_total 3", code, body)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz: got %d; want 200", code)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("/readyz while ready: got %d; want 200", code)
	}
	healthy.Store(false)
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "clickhouse: connection refused") {
		t.Errorf("/readyz while ClickHouse is down: got %d %q; want 503 naming clickhouse", code, body)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d): got %q; want %q", n, got, want)
		}
	}
}

func TestGenericNormalizersFromConfig(t *testing.T) {
	f := func(yml, wantErr string) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "rapport.yml")
		if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path, []string{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := wiring.Normalizers(cfg)
		if wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Errorf("wiring.Normalizers: got error %v; want one containing %q", err, wantErr)
			}
			return
		}
		if err != nil {
			t.Fatalf("wiring.Normalizers: %v", err)
		}
		if got["forum"] == nil || got["x"] == nil {
			t.Errorf("normalizers: got %d without forum or x; want the built-in ones plus forum", len(got))
		}
	}
	f("ingest:\n  generic:\n    - network: forum\n      fields: {id: uid, text: body, created_at: ts}\n", "")
	f("ingest:\n  generic:\n    - network: x\n      fields: {id: uid, text: body, created_at: ts}\n", "ingest.generic[0].network")
	f("ingest:\n  generic:\n    - network: forum\n      fields: {text: body}\n", "ingest.generic[0]")
}
