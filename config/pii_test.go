package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadYAML(t *testing.T, yml string, env []string) (*Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rapport.yml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(path, env)
}

func TestLinkingNeedsAKey(t *testing.T) {
	for _, tc := range []struct {
		name, yml string
		env       []string
		want      string // error substring; "" means valid
	}{
		{"off by default", "", nil, ""},
		{"on without key", "customers:\n  link: true\n", nil, "pii.key: must be at least 16 bytes when customers.link is on"},
		{"short key", "customers:\n  link: true\npii:\n  key: short\n", nil, "pii.key: must be at least 16 bytes"},
		{"key from env", "customers:\n  link: true\n", []string{"RAPPORT_PII_KEY=0123456789abcdef"}, ""},
		{"link from env", "", []string{"RAPPORT_CUSTOMERS_LINK=true"}, "pii.key"},
		{"thresholds", "customers:\n  link_threshold: 0.5\n  review_threshold: 0.8\n", nil, "customers.review_threshold: must be in (0, customers.link_threshold]"},
		{"refresh", "customers:\n  refresh: -1s\n", nil, "customers.refresh: must be a positive duration"},
		{"cache", "customers:\n  cache_authors: -1\n", nil, "customers.cache_authors: must be between"},
	} {
		env := tc.env
		if env == nil {
			env = []string{}
		}
		_, err := loadYAML(t, tc.yml, env)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: got %v; want valid", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v; want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestPIIKeyFileAndSecrecy(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "pii.key")
	secret := "a-very-secret-deployment-key"
	if err := os.WriteFile(keyFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadYAML(t, "customers:\n  link: true\npii:\n  key_file: "+keyFile+"\n", []string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.PII.Key != secret {
		t.Errorf("pii.key from key_file: got %d bytes; want the file's %d without the newline", len(c.PII.Key), len(secret))
	}
	for _, s := range []string{fmt.Sprint(c.PII), fmt.Sprintf("%+v", c.PII), fmt.Sprintf("%#v", c.PII), fmt.Sprintf("%v", *c)} {
		if strings.Contains(s, secret) {
			t.Errorf("the key shows in %q", s)
		}
	}
	if c.Customers.Topic != "crm.customers" || c.Customers.LinkThreshold != 0.9 || c.Customers.ReviewThreshold != 0.5 {
		t.Errorf("defaults: got %+v", c.Customers)
	}
}
