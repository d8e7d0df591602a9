// Package config reads the configuration of `rapport run`: a YAML file, then environment overrides, then
// defaults, then validation with errors that name the field.
//
// Every field can be overridden from the environment as RAPPORT_<SECTION>_<FIELD> in upper case, e.g.
// RAPPORT_KAFKA_BROKERS=a:9092,b:9092 or RAPPORT_CLICKHOUSE_PASSWORD=…; lists are comma-separated.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole configuration. Each field's comment gives its default and unit.
type Config struct {
	Kafka      Kafka      `yaml:"kafka"`
	ClickHouse ClickHouse `yaml:"clickhouse"`
	Pipeline   Pipeline   `yaml:"pipeline"`
	Brands     Brands     `yaml:"brands"`
	Catalog    Catalog    `yaml:"catalog"`
	Ingest     Ingest     `yaml:"ingest"`
	HTTP       HTTP       `yaml:"http"`
	Log        Log        `yaml:"log"`
	Dedup      Dedup      `yaml:"dedup"`
	Influence  Influence  `yaml:"influence"`
	Alerts     Alerts     `yaml:"alerts"`
	PII        PII        `yaml:"pii"`
	Customers  Customers  `yaml:"customers"`
	KPI        KPI        `yaml:"kpi"`
}

// Kafka configures the consumer group and the dead-letter topic.
type Kafka struct {
	Brokers        []string          `yaml:"brokers"`          // seed brokers, host:port; default [127.0.0.1:9092]
	Group          string            `yaml:"group"`            // consumer group id; default "rapport"
	TopicPattern   string            `yaml:"topic_pattern"`    // regular expression of raw topics; default ^social\.raw\..+$
	DLQTopic       string            `yaml:"dlq_topic"`        // dead-letter topic; default "social.dlq"
	Networks       map[string]string `yaml:"networks"`         // topic → network, overriding the topic suffix; "auto" = by header or payload shape; default none
	NetworkHeader  string            `yaml:"network_header"`   // record header naming the record\'s network; default rapport-network
	MaxPollRecords int               `yaml:"max_poll_records"` // records per poll; default 5000
	FetchMaxBytes  int               `yaml:"fetch_max_bytes"`  // most bytes per fetch response (bounds buffered input); default 16777216
	CommitInterval time.Duration     `yaml:"commit_interval"`  // how often durable offsets are committed; default 1s
	SessionTimeout time.Duration     `yaml:"session_timeout"`  // how soon a dead member's partitions move to others; default 45s
	RevokeTimeout  time.Duration     `yaml:"revoke_timeout"`   // wait for in-flight records of a revoked partition; default 20s

	// Transport security (see TLS). Secrets come from the environment or files, never from logs.
	TLS              bool   `yaml:"tls"`                // connect over TLS; default false
	TLSCAFile        string `yaml:"tls_ca_file"`        // PEM CA bundle to verify the brokers; default the system pool
	TLSCertFile      string `yaml:"tls_cert_file"`      // client certificate (mutual TLS); default none
	TLSKeyFile       string `yaml:"tls_key_file"`       // client key (mutual TLS); default none
	TLSServerName    string `yaml:"tls_server_name"`    // name to verify instead of the broker host; default the host
	TLSInsecure      bool   `yaml:"tls_insecure"`       // skip certificate verification (tests only); default false
	SASLMechanism    string `yaml:"sasl_mechanism"`     // PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; default none
	SASLUsername     string `yaml:"sasl_username"`      // default none
	SASLPassword     string `yaml:"sasl_password"`      // default none; prefer sasl_password_file or RAPPORT_KAFKA_SASL_PASSWORD
	SASLPasswordFile string `yaml:"sasl_password_file"` // file holding the SASL password; default none
}

// ClickHouse configures the connection and the writer.
type ClickHouse struct {
	Addr            []string      `yaml:"addr"`              // native-protocol host:port list; default [127.0.0.1:9000]
	Database        string        `yaml:"database"`          // default "rapport"
	Username        string        `yaml:"username"`          // default "default"
	Password        string        `yaml:"password"`          // default empty; prefer password_file or the environment
	PasswordFile    string        `yaml:"password_file"`     // file holding the password; default none
	BatchRows       int           `yaml:"batch_rows"`        // rows per insert; default 20000
	FlushInterval   time.Duration `yaml:"flush_interval"`    // longest wait before a flush; default 1s
	MaxBackoff      time.Duration `yaml:"max_backoff"`       // longest delay between insert retries; default 30s
	InsertsInFlight int           `yaml:"inserts_in_flight"` // inserts sent and not yet acknowledged at once (the writer accumulates the next meanwhile); 1 = one after the other; default 2
	Migrate         *bool         `yaml:"migrate"`           // apply schema migrations at start; default true
	TLS             bool          `yaml:"tls"`               // connect over TLS; default false
	TLSCAFile       string        `yaml:"tls_ca_file"`       // PEM CA bundle to verify the server; default the system pool
	TLSInsecure     bool          `yaml:"tls_insecure"`      // skip certificate verification (tests only); default false
}

// Pipeline configures batching and the queues between stages.
type Pipeline struct {
	BatchSize       int           `yaml:"batch_size"`            // posts per batch from ingest; default 1000
	QueueDepth      int           `yaml:"queue_depth"`           // batches queued in front of each stage and sink; default 4
	MaxPayloadBytes int           `yaml:"max_payload_bytes"`     // larger raw payloads go to the dead-letter topic; default 262144
	MaxInFlight     int           `yaml:"max_in_flight_records"` // records read but not yet stored before fetching pauses; default 100000
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`      // longest graceful drain before aborting; default 30s
}

// Ingest configures sources beyond the built-in network formats.
type Ingest struct {
	// Generic are networks read by field-path mapping, so a new JSON source needs no code (see
	// ingest.GenericNormalizer for the field names and path syntax). Default none. Not settable from the
	// environment.
	Generic []GenericSource `yaml:"generic"`
}

// GenericSource maps one JSON source onto the canonical post.
type GenericSource struct {
	Network string            `yaml:"network"` // network name; its topic is social.raw.<network>
	Fields  map[string]string `yaml:"fields"`  // canonical field → dot path in the payload, e.g. text: body.content
}

// Brands describes the brands' own presence on the networks.
type Brands struct {
	// Accounts are the brands' own handles per network (x, mastodon as user@instance, reddit, …); their
	// posts count as the brand answering customers. Default none. Not settable from the environment.
	Accounts map[string][]string `yaml:"accounts"`
}

// HTTP configures the metrics and health endpoints.
type HTTP struct {
	Listen string `yaml:"listen"` // address of /metrics, /healthz, /readyz; default 127.0.0.1:9464; "off" disables
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn or error; default info
	Format string `yaml:"format"` // json or console; default json
}

// Load reads path (none: defaults only), applies environment overrides from env (nil: os.Environ), applies
// defaults and validates.
func Load(path string, env []string) (*Config, error) {
	var c Config
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading config: %w", err)
		}
		if err := Parse(data, &c); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if env == nil {
		env = os.Environ()
	}
	if err := applyEnv(&c, env); err != nil {
		return nil, err
	}
	c.SetDefaults()
	if c.ClickHouse.PasswordFile != "" && c.ClickHouse.Password == "" {
		data, err := os.ReadFile(c.ClickHouse.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("clickhouse.password_file: %w", err)
		}
		c.ClickHouse.Password = strings.TrimRight(string(data), "\r\n")
	}
	if c.Kafka.SASLPasswordFile != "" && c.Kafka.SASLPassword == "" {
		data, err := os.ReadFile(c.Kafka.SASLPasswordFile)
		if err != nil {
			return nil, fmt.Errorf("kafka.sasl_password_file: %w", err)
		}
		c.Kafka.SASLPassword = strings.TrimRight(string(data), "\r\n")
	}
	if err := c.loadPIIKey(); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Parse decodes YAML strictly: an unknown field is an error that names it.
func Parse(data []byte, c *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// An empty file is a valid, empty configuration.
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// SetDefaults fills every unset field with its documented default.
func (c *Config) SetDefaults() {
	k := &c.Kafka
	if len(k.Brokers) == 0 {
		k.Brokers = []string{"127.0.0.1:9092"}
	}
	setString(&k.Group, "rapport")
	setString(&k.TopicPattern, `^social\.raw\..+$`)
	setString(&k.DLQTopic, "social.dlq")
	setString(&k.NetworkHeader, "rapport-network")
	setInt(&k.MaxPollRecords, 5000)
	setInt(&k.FetchMaxBytes, 16<<20)
	setDuration(&k.CommitInterval, time.Second)
	setDuration(&k.SessionTimeout, 45*time.Second)
	setDuration(&k.RevokeTimeout, 20*time.Second)

	ch := &c.ClickHouse
	if len(ch.Addr) == 0 {
		ch.Addr = []string{"127.0.0.1:9000"}
	}
	setString(&ch.Database, "rapport")
	setString(&ch.Username, "default")
	setInt(&ch.BatchRows, 20000)
	setDuration(&ch.FlushInterval, time.Second)
	setDuration(&ch.MaxBackoff, 30*time.Second)
	setInt(&ch.InsertsInFlight, 2)
	if ch.Migrate == nil {
		t := true
		ch.Migrate = &t
	}

	p := &c.Pipeline
	setInt(&p.BatchSize, 1000)
	setInt(&p.QueueDepth, 4)
	setInt(&p.MaxPayloadBytes, 256<<10)
	setInt(&p.MaxInFlight, 100000)
	setDuration(&p.ShutdownTimeout, 30*time.Second)

	c.Catalog.setDefaults()

	setString(&c.HTTP.Listen, "127.0.0.1:9464")
	setString(&c.Log.Level, "info")
	setString(&c.Log.Format, "json")
	c.Dedup.setDefaults()
	c.Influence.setDefaults()
	c.Alerts.setDefaults()
	c.Customers.setDefaults()
	c.KPI.setDefaults()
}

func setString(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func setInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

func setDuration(p *time.Duration, v time.Duration) {
	if *p == 0 {
		*p = v
	}
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Validate checks every field and returns all problems, each naming its field.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	for i, b := range c.Kafka.Brokers {
		if !validHostPort(b) {
			bad(fmt.Sprintf("kafka.brokers[%d]", i), "%q is not host:port", b)
		}
	}
	if _, err := regexp.Compile(c.Kafka.TopicPattern); err != nil {
		bad("kafka.topic_pattern", "not a regular expression: %v", err)
	}
	if strings.TrimSpace(c.Kafka.Group) == "" {
		bad("kafka.group", "must not be blank")
	}
	if re, err := regexp.Compile(c.Kafka.TopicPattern); err == nil && re.MatchString(c.Kafka.DLQTopic) {
		bad("kafka.dlq_topic", "%q matches kafka.topic_pattern, so dead letters would be read back as input", c.Kafka.DLQTopic)
	}
	switch c.Kafka.SASLMechanism {
	case "":
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		if c.Kafka.SASLUsername == "" {
			bad("kafka.sasl_username", "required with kafka.sasl_mechanism %s", c.Kafka.SASLMechanism)
		}
	default:
		bad("kafka.sasl_mechanism", "%q is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", c.Kafka.SASLMechanism)
	}
	if (c.Kafka.TLSCertFile == "") != (c.Kafka.TLSKeyFile == "") {
		bad("kafka.tls_cert_file", "tls_cert_file and tls_key_file go together")
	}
	checkRange(bad, "kafka.max_poll_records", c.Kafka.MaxPollRecords, 1, 1_000_000)
	checkRange(bad, "kafka.fetch_max_bytes", c.Kafka.FetchMaxBytes, 1<<20, 1<<30)
	checkRange(bad, "pipeline.max_in_flight_records", c.Pipeline.MaxInFlight, 1, 10_000_000)
	checkPositive(bad, "kafka.commit_interval", c.Kafka.CommitInterval)
	checkPositive(bad, "kafka.revoke_timeout", c.Kafka.RevokeTimeout)
	if c.Kafka.SessionTimeout < 6*time.Second || c.Kafka.SessionTimeout > 5*time.Minute {
		bad("kafka.session_timeout", "must be between 6s and 5m (the broker's usual limits), got %s", c.Kafka.SessionTimeout)
	}

	for i, a := range c.ClickHouse.Addr {
		if !validHostPort(a) {
			bad(fmt.Sprintf("clickhouse.addr[%d]", i), "%q is not host:port", a)
		}
	}
	if !identRe.MatchString(c.ClickHouse.Database) {
		bad("clickhouse.database", "%q is not a plain identifier (letters, digits, _)", c.ClickHouse.Database)
	}
	checkRange(bad, "clickhouse.batch_rows", c.ClickHouse.BatchRows, 1, 1_000_000)
	checkPositive(bad, "clickhouse.flush_interval", c.ClickHouse.FlushInterval)
	checkPositive(bad, "clickhouse.max_backoff", c.ClickHouse.MaxBackoff)
	checkRange(bad, "clickhouse.inserts_in_flight", c.ClickHouse.InsertsInFlight, 1, 16)

	checkRange(bad, "pipeline.batch_size", c.Pipeline.BatchSize, 1, 100_000)
	checkRange(bad, "pipeline.queue_depth", c.Pipeline.QueueDepth, 1, 1024)
	checkRange(bad, "pipeline.max_payload_bytes", c.Pipeline.MaxPayloadBytes, 1024, 64<<20)
	checkPositive(bad, "pipeline.shutdown_timeout", c.Pipeline.ShutdownTimeout)

	for network, handles := range c.Brands.Accounts {
		for i, h := range handles {
			if strings.TrimSpace(strings.TrimPrefix(h, "@")) == "" {
				bad(fmt.Sprintf("brands.accounts.%s[%d]", network, i), "empty handle")
			}
		}
	}
	c.Catalog.validate(bad)
	if c.HTTP.Listen != "off" && !validHostPort(c.HTTP.Listen) {
		bad("http.listen", "%q is not host:port or \"off\"", c.HTTP.Listen)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "console":
	default:
		bad("log.format", "%q is not one of json, console", c.Log.Format)
	}
	c.Dedup.check(bad)
	c.Influence.validate(bad)
	c.Alerts.validate(bad)
	c.validateCustomers(bad)
	c.KPI.validate(bad)
	return errors.Join(errs...)
}

func checkRange(bad func(string, string, ...any), field string, v, lo, hi int) {
	if v < lo || v > hi {
		bad(field, "must be between %d and %d, got %d", lo, hi, v)
	}
}

func checkPositive(bad func(string, string, ...any), field string, d time.Duration) {
	if d <= 0 {
		bad(field, "must be a positive duration, got %s", d)
	}
}

func validHostPort(s string) bool {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 || i == len(s)-1 {
		return false
	}
	port, err := strconv.Atoi(s[i+1:])
	return err == nil && port > 0 && port < 65536
}

// applyEnv sets fields from RAPPORT_<SECTION>_<FIELD> variables.
func applyEnv(c *Config, env []string) error {
	vars := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "RAPPORT_") {
			vars[k] = v
		}
	}
	if len(vars) == 0 {
		return nil
	}
	root := reflect.ValueOf(c).Elem()
	for i := 0; i < root.NumField(); i++ {
		section := yamlName(root.Type().Field(i))
		sv := root.Field(i)
		for j := 0; j < sv.NumField(); j++ {
			name := yamlName(sv.Type().Field(j))
			key := "RAPPORT_" + strings.ToUpper(section+"_"+name)
			raw, ok := vars[key]
			if !ok {
				continue
			}
			if err := setFromString(sv.Field(j), raw); err != nil {
				return fmt.Errorf("%s.%s (from %s): %w", section, name, key, err)
			}
		}
	}
	return nil
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}

func setFromString(v reflect.Value, raw string) error {
	switch v.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("%q is not a duration (e.g. 500ms, 2s)", raw)
		}
		v.SetInt(int64(d))
		return nil
	case *bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("%q is not a boolean", raw)
		}
		v.Set(reflect.ValueOf(&b))
		return nil
	case []string:
		var list []string
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		v.Set(reflect.ValueOf(list))
		return nil
	case map[string]string:
		m := map[string]string{}
		for _, kv := range strings.Split(raw, ",") {
			k, val, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("%q is not a list of key=value", raw)
			}
			m[strings.TrimSpace(k)] = strings.TrimSpace(val)
		}
		v.Set(reflect.ValueOf(m))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("%q is not a boolean", raw)
		}
		v.SetBool(b)
	case reflect.Int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("%q is not an integer", raw)
		}
		v.SetInt(int64(n))
	case reflect.Float64:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", raw)
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}
