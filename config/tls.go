package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// KafkaTLS returns the TLS configuration of the Kafka connection, or nil when kafka.tls is off.
func (c *Config) KafkaTLS() (*tls.Config, error) {
	k := &c.Kafka
	if !k.TLS {
		return nil, nil
	}
	return buildTLS("kafka", k.TLSCAFile, k.TLSCertFile, k.TLSKeyFile, k.TLSServerName, k.TLSInsecure)
}

// ClickHouseTLS returns the TLS configuration of the ClickHouse connection, or nil when clickhouse.tls is
// off.
func (c *Config) ClickHouseTLS() (*tls.Config, error) {
	h := &c.ClickHouse
	if !h.TLS {
		return nil, nil
	}
	return buildTLS("clickhouse", h.TLSCAFile, "", "", "", h.TLSInsecure)
}

func buildTLS(section, caFile, certFile, keyFile, serverName string, insecure bool) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName, InsecureSkipVerify: insecure} //nolint:gosec // insecure only when configured, for tests
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("%s.tls_ca_file: %w", section, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New(section + ".tls_ca_file: no PEM certificate in " + caFile)
		}
		cfg.RootCAs = pool
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("%s.tls_cert_file: %w", section, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
