package sim

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestCampaignBotAndTemplateTruth checks the truth the dedup evaluation relies on: every campaign post names
// its bot, no other post does, some bot posts on two networks, and every campaign has a text template.
func TestCampaignBotAndTemplateTruth(t *testing.T) {
	t.Parallel()
	g := New(Config{Seed: 5, CampaignRate: 0.1})
	nets := map[int]map[string]bool{}
	for range 20000 {
		rec := g.Next()
		if rec.Malformed {
			continue
		}
		tr := rec.Truth
		if (tr.Campaign != "") != (tr.Bot > 0) {
			t.Fatalf("record %s/%s: campaign %q, bot %d; want a bot exactly for campaign posts", rec.Network, rec.PostID, tr.Campaign, tr.Bot)
		}
		if tr.Bot > 0 {
			if nets[tr.Bot] == nil {
				nets[tr.Bot] = map[string]bool{}
			}
			nets[tr.Bot][string(rec.Network)] = true
			var buf bytes.Buffer
			var m struct{ Bot int }
			if err := WriteTruth(&buf, rec); err != nil || json.Unmarshal(buf.Bytes(), &m) != nil || m.Bot != tr.Bot {
				t.Fatalf("WriteTruth: %s; want bot %d", buf.String(), tr.Bot)
			}
		}
	}
	cross := 0
	for _, n := range nets {
		if len(n) > 1 {
			cross++
		}
	}
	if len(nets) == 0 || cross == 0 {
		t.Errorf("%d bots, %d on two networks; want some of each", len(nets), cross)
	}
	for _, c := range g.Campaigns() {
		if c.Template == "" {
			t.Errorf("campaign %s has no template", c.ID)
		}
	}
}
