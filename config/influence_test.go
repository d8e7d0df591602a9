package config

import (
	"strings"
	"testing"
	"time"
)

func TestInfluenceDefaults(t *testing.T) {
	c, err := Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Influence
	if !*got.Compute || got.Interval != 15*time.Minute || got.Window != 720*time.Hour || got.HalfLife != 168*time.Hour || got.Refresh != time.Minute {
		t.Errorf("influence defaults: got %+v (compute %v)", got, *got.Compute)
	}
}

func TestInfluenceFromYAMLAndEnv(t *testing.T) {
	var c Config
	if err := Parse([]byte("influence:\n  compute: false\n  interval: 1h\n  window: 240h\n"), &c); err != nil {
		t.Fatal(err)
	}
	if err := applyEnv(&c, []string{"RAPPORT_INFLUENCE_HALF_LIFE=48h"}); err != nil {
		t.Fatal(err)
	}
	c.SetDefaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if *c.Influence.Compute || c.Influence.Interval != time.Hour || c.Influence.Window != 240*time.Hour || c.Influence.HalfLife != 48*time.Hour {
		t.Errorf("got %+v", c.Influence)
	}
}

func TestInfluenceInvalid(t *testing.T) {
	for yml, want := range map[string]string{
		"influence:\n  interval: 5s\n":   "influence.interval: must be at least 1m",
		"influence:\n  window: 30m\n":    "influence.window: must be at least 1h",
		"influence:\n  half_life: -1h\n": "influence.half_life: must be a positive duration",
		"influence:\n  refresh: -5s\n":   "influence.refresh: must be a positive duration",
		"influence:\n  windwo: 1h\n":     "field windwo not found",
		"influence:\n  interval: soon\n": "cannot unmarshal",
	} {
		var c Config
		err := Parse([]byte(yml), &c)
		if err == nil {
			c.SetDefaults()
			err = c.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v; want an error containing %q", yml, err, want)
		}
	}
}
