package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/internal/wiring"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// xPayload is an X API v2 payload with the given free-text fields.
type xPayload struct {
	id, text, handle, name, bio, location, url string
}

func (p xPayload) encode() []byte {
	doc := map[string]any{
		"data": map[string]any{
			"id": p.id, "text": p.text, "author_id": "u" + p.id, "created_at": "2026-11-20T10:00:00.000Z", "lang": "en",
		},
		"includes": map[string]any{"users": []any{map[string]any{
			"id": "u" + p.id, "username": p.handle, "name": p.name, "description": p.bio, "location": p.location,
			"url": p.url, "public_metrics": map[string]any{"followers_count": 10, "following_count": 5},
		}}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

// pipelineRun is one run of the full pipeline built by buildPipeline, as `rapport run` builds it.
type pipelineRun struct {
	conn driver.Conn
	logs *syncBuffer
	reg  *prometheus.Registry
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runPipelineUntil runs the pipeline with cfg (Kafka and ClickHouse set by the caller) at debug log level
// until the posts table holds want rows, then stops it.
func runPipelineUntil(t *testing.T, cfg *config.Config, want int) *pipelineRun {
	t.Helper()
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	enc := zap.NewProductionEncoderConfig()
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(logs), zapcore.DebugLevel))
	reg := newRegistry()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, conn, err := buildPipeline(ctx, cfg, reg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM posts").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if int(n) >= want {
			break
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("posts table holds %d rows after 90s; want %d; logs:\n%s", n, want, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil && ctx.Err() == nil {
		t.Fatalf("pipeline: %v", err)
	}
	return &pipelineRun{conn: conn, logs: logs, reg: reg}
}

// testConfig is a configuration for one test: its own ClickHouse database, the given brokers.
func testConfig(t *testing.T, brokers []string) *config.Config {
	_, chCfg := testenv.ClickHouse(t)
	cfg := &config.Config{}
	cfg.Kafka.Brokers = brokers
	cfg.Kafka.Group = testenv.Name(t)
	cfg.ClickHouse.Addr = chCfg.Addr
	cfg.ClickHouse.Database = chCfg.Database
	cfg.HTTP.Listen = "off"
	return cfg
}

func produce(t *testing.T, opts []kgo.Opt, topic string, values ...[]byte) {
	t.Helper()
	cl, err := kgo.NewClient(append(opts, kgo.DefaultProduceTopic(topic))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, v := range values {
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: v}).FirstErr(); err != nil {
			t.Fatalf("producing: %v", err)
		}
	}
}

// selfSignedCert writes a CA-less self-signed certificate for 127.0.0.1 and returns the server TLS config
// and the PEM file path clients verify against.
func selfSignedCert(t *testing.T) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kafka.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, path
}

// TestKafkaTLSAndSCRAM runs the pipeline against a broker that only speaks TLS with SASL/SCRAM-SHA-256, and
// checks that wrong credentials and a plaintext connection are refused.
func TestKafkaTLSAndSCRAM(t *testing.T) {
	serverTLS, caFile := selfSignedCert(t)
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.TLS(serverTLS), kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-256", "rapport", "correct horse battery"),
		kfake.SeedTopics(2, "social.raw.x", "social.dlq"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()

	cfg := testConfig(t, cluster.ListenAddrs())
	cfg.Kafka.TLS, cfg.Kafka.TLSCAFile = true, caFile
	cfg.Kafka.SASLMechanism, cfg.Kafka.SASLUsername = "SCRAM-SHA-256", "rapport"
	secretFile := filepath.Join(t.TempDir(), "kafka-password")
	if err := os.WriteFile(secretFile, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Kafka.SASLPasswordFile = secretFile
	loaded, err := config.Load("", configEnv(cfg))
	if err != nil {
		t.Fatal(err)
	}
	opts, err := wiring.KafkaSecurity(loaded)
	if err != nil {
		t.Fatal(err)
	}
	var values [][]byte
	for i := range 20 {
		values = append(values, xPayload{id: fmt.Sprint(1000 + i), text: "secure post", handle: "h", name: "n"}.encode())
	}
	produce(t, append([]kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...)}, opts...), "social.raw.x", values...)
	run := runPipelineUntil(t, loaded, len(values))
	if strings.Contains(run.logs.String(), "correct horse battery") {
		t.Error("the SASL password appears in the logs")
	}

	ping := func(c *config.Config) error {
		o, err := wiring.KafkaSecurity(c)
		if err != nil {
			return err
		}
		cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.RequestRetries(0)}, o...)...)
		if err != nil {
			return err
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		return cl.Ping(ctx)
	}
	if err := ping(loaded); err != nil {
		t.Fatalf("ping with the right credentials: %v", err)
	}
	wrong := *loaded
	wrong.Kafka.SASLPassword = "wrong"
	if ping(&wrong) == nil {
		t.Error("a wrong SASL password was accepted")
	}
	plain := *loaded
	plain.Kafka.TLS = false
	if ping(&plain) == nil {
		t.Error("a plaintext connection to the TLS listener succeeded")
	}
}

// configEnv turns the Kafka and ClickHouse settings of cfg into RAPPORT_* variables, so the test goes
// through config.Load like a deployment that keeps secrets out of files.
func configEnv(cfg *config.Config) []string {
	k, h := cfg.Kafka, cfg.ClickHouse
	return []string{
		"RAPPORT_KAFKA_BROKERS=" + strings.Join(k.Brokers, ","), "RAPPORT_KAFKA_GROUP=" + k.Group,
		"RAPPORT_KAFKA_TLS=" + fmt.Sprint(k.TLS), "RAPPORT_KAFKA_TLS_CA_FILE=" + k.TLSCAFile,
		"RAPPORT_KAFKA_SASL_MECHANISM=" + k.SASLMechanism, "RAPPORT_KAFKA_SASL_USERNAME=" + k.SASLUsername,
		"RAPPORT_KAFKA_SASL_PASSWORD_FILE=" + k.SASLPasswordFile,
		"RAPPORT_CLICKHOUSE_ADDR=" + strings.Join(h.Addr, ","), "RAPPORT_CLICKHOUSE_DATABASE=" + h.Database,
		"RAPPORT_HTTP_LISTEN=off",
	}
}

// injections are strings crafted to break out of SQL string literals, identifiers and comments.
var injections = []string{
	`'); DROP TABLE posts; --`,
	`\'; SELECT * FROM system.users; --`,
	`" OR 1=1 --`,
	"`posts`; TRUNCATE TABLE erasures",
	`\\x27 UNION ALL SELECT name FROM system.tables /*`,
	"Robert'); DELETE FROM customers WHERE ('1'='1",
	`{a:String} ? $1 %s ?`,
}

// TestInjectionStringsArriveLiterally sends SQL-injection strings in every free-text field through the whole
// pipeline and checks each arrives in ClickHouse as the literal text, and that erasing an author whose id is
// such a string removes that author only.
func TestInjectionStringsArriveLiterally(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "social.raw.x", "social.dlq"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	cfg := testConfig(t, cluster.ListenAddrs())
	want := map[string]xPayload{}
	var values [][]byte
	for i, s := range injections {
		p := xPayload{id: fmt.Sprint(2000 + i), text: "text " + s, handle: "h" + fmt.Sprint(i), name: "name " + s,
			bio: "bio " + s, location: "loc " + s}
		want[p.id] = p
		values = append(values, p.encode())
	}
	produce(t, []kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...)}, "social.raw.x", values...)
	run := runPipelineUntil(t, cfg, len(values))
	ctx := context.Background()
	rows, err := run.conn.Query(ctx, "SELECT post_id, text, author_name, author_bio, author_location FROM posts FINAL WHERE deleted = 0")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var id, text, name, bio, loc string
		if err := rows.Scan(&id, &text, &name, &bio, &loc); err != nil {
			t.Fatal(err)
		}
		p, ok := want[id]
		if !ok {
			t.Errorf("unexpected post %q", id)
			continue
		}
		seen++
		got := []string{text, name, bio, loc}
		exp := []string{p.text, p.name, p.bio, p.location}
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("post %s stored %q; want %q", id, got, exp)
		}
	}
	if seen != len(injections) {
		t.Fatalf("read %d posts; want %d", seen, len(injections))
	}
	// The tables survive and an erasure keyed by a hostile author id touches that author only.
	if _, err := clickhouse.Erase(ctx, run.conn, "x", "u2000' OR '1'='1", 0); err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := run.conn.QueryRow(ctx, "SELECT count() FROM posts FINAL WHERE deleted = 0").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if int(n) != len(injections) {
		t.Errorf("after erasing a hostile author id, %d posts remain; want %d", n, len(injections))
	}
}

// TestNoPersonalDataInClearAfterRun runs posts whose text and profiles hold e-mail addresses and phone
// numbers through the pipeline, then searches every string in every table of the database, every log line
// (at debug level) and every metric for the clear values.
func TestNoPersonalDataInClearAfterRun(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "social.raw.x", "social.dlq"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	cfg := testConfig(t, cluster.ListenAddrs())
	secrets := []string{"jane.doe@example.com", "m.rossi+shop@posta.example.it", "415 555 0100", "4155550100", "07700 900123", "7700900123", "900123"}
	payloads := []xPayload{
		{id: "3001", text: "@acme my parcel never came, email me at jane.doe@example.com", handle: "jd", name: "Jane D", bio: "call +1 415 555 0100"},
		{id: "3002", text: "still waiting, ring 07700 900123 please", handle: "mr", name: "Marco", bio: "m.rossi+shop@posta.example.it", url: "mailto:m.rossi+shop@posta.example.it"},
		{id: "3003", text: "no personal data here, order 12345", handle: "plain", name: "Plain"},
	}
	var values [][]byte
	for _, p := range payloads {
		values = append(values, p.encode())
	}
	produce(t, []kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...)}, "social.raw.x", values...)
	run := runPipelineUntil(t, cfg, len(payloads))

	var dump strings.Builder
	ctx := context.Background()
	tables, err := run.conn.Query(ctx, "SELECT name FROM system.tables WHERE database = currentDatabase()")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	for _, table := range names {
		rows, err := run.conn.Query(ctx, "SELECT * FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		types := rows.ColumnTypes()
		for rows.Next() {
			vals := make([]any, len(types))
			for i, ct := range types {
				vals[i] = reflect.New(ct.ScanType()).Interface()
			}
			if err := rows.Scan(vals...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				fmt.Fprintf(&dump, "%v\n", reflect.ValueOf(v).Elem().Interface())
			}
		}
		rows.Close()
	}
	if !strings.Contains(dump.String(), "[email]") || !strings.Contains(dump.String(), "[phone]") {
		t.Fatalf("the stored posts carry no redaction marks; the dump is not what this test expects:\n%s", dump.String())
	}
	families, err := run.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var metrics bytes.Buffer
	for _, mf := range families {
		if _, err := expfmt.MetricFamilyToText(&metrics, mf); err != nil {
			t.Fatal(err)
		}
	}
	for where, text := range map[string]string{"ClickHouse": dump.String(), "logs": run.logs.String(), "metrics": metrics.String()} {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%q appears in clear in %s", s, where)
			}
		}
	}
}
