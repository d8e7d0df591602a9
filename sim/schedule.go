package sim

import (
	"math"
	"slices"
	"time"

	"github.com/rapport-dev/rapport/post"
)

// Some records follow a post at a later event time: a brand's answer to a complaint or a question, an edit,
// a delete notice. They are decided when the post is generated and wait in a queue ordered by event time;
// Next emits each when the stream's clock reaches it, so the stream stays in event-time order. The queue is
// bounded: when it is full, nothing more is scheduled until it drains (a support team that is swamped
// answers nobody new).

// maxScheduled bounds the queue of scheduled records.
const maxScheduled = 1 << 15

// Kinds of scheduled records.
const (
	schedReply uint8 = iota
	schedEdit
	schedDelete
)

// scheduled is a record due at a later event time.
type scheduled struct {
	at   float64 // seconds of event time since Start
	seq  int64   // tie-break: scheduled earlier, emitted earlier
	kind uint8
	ni   uint8  // network index
	hp   *hpost // the post answered, edited or deleted
	d    *draft // schedEdit: the post's draft, to render the edited version from
}

// before orders scheduled events by (at, seq), for minHeap.
func (s scheduled) before(o scheduled) bool {
	if s.at != o.at {
		return s.at < o.at
	}
	return s.seq < o.seq
}

// answerShare is the share of complaints, questions and churn threats about a brand that the brand's
// support answers, per network.
var answerShare = [numNets]float64{nX: 0.22, nMastodon: 0.15, nReddit: 0.05, nYouTube: 0.06, nFacebook: 0.3, nInstagram: 0.15}

// brandUTCOffset is the time zone of each brand's support team, in hours from UTC.
var brandUTCOffset = []int{-5, -8, 1, 0, 0}

// supportAccount is the account brand b answers with on network ni; nil when it does not answer there.
func (g *Generator) supportAccount(ni, b int) *account {
	switch ni {
	case nX:
		return g.brandX[b][1]
	case nMastodon:
		return g.brandM[b][0]
	case nReddit:
		return g.brandR[b][1]
	case nReview:
		return nil
	}
	return g.brandN[ni][b]
}

// plan decides what follows the new post hp of network ni, whose draft is d: a brand's answer, an edit or a
// deletion.
func (g *Generator) plan(ni int, hp *hpost, d *draft) {
	if len(g.sched) >= maxScheduled {
		return
	}
	now := g.clock
	if hp.brand >= 0 && hp.author.brand < 0 && (hp.in == iComplaint || hp.in == iQuestion || hp.in == iChurn) &&
		hp.rkind != 'r' && g.supportAccount(ni, int(hp.brand)) != nil && g.rng.chance(answerShare[ni]) {
		g.seq++
		g.sched.push(scheduled{at: now + g.replyDelay(int(hp.brand), now), seq: g.seq, kind: schedReply, ni: uint8(ni), hp: hp})
		return
	}
	if hp.author.brand >= 0 || hp.author.bot || hp.author == deletedRedditor {
		return
	}
	u := g.rng.float()
	switch {
	case u < g.cfg.EditRate && editable(ni, d):
		// Most edits fix a typo within minutes; X allows them for an hour.
		delay := math.Max(20, g.rng.lognormal(math.Log(240), 1.0))
		if ni == nX {
			delay = math.Min(delay, 3500)
		}
		cp := *d
		cp.segs = slices.Clone(d.segs)
		cp.title = slices.Clone(d.title)
		g.seq++
		g.sched.push(scheduled{at: now + delay, seq: g.seq, kind: schedEdit, ni: uint8(ni), hp: hp, d: &cp})
	case u < g.cfg.EditRate+g.cfg.DeleteRate && (ni == nX || ni == nMastodon || ni == nReddit):
		// Deleted after some minutes (regret, a typo in anger) or hours (moderators).
		delay := math.Min(math.Max(180, g.rng.lognormal(math.Log(1500), 1.2)), 2*86400)
		g.seq++
		g.sched.push(scheduled{at: now + delay, seq: g.seq, kind: schedDelete, ni: uint8(ni), hp: hp})
	}
}

// editable tells whether the post of draft d can be edited and the edit is visible in its network's API.
func editable(ni int, d *draft) bool {
	switch ni {
	case nX, nMastodon, nYouTube, nReview:
		return d.kind != kRepost && len(d.segs) > 0
	case nReddit:
		return d.kind == kReply && !d.automod && !d.deleted || d.kind == kOriginal && !d.linkOnly
	}
	return false
}

// replyDelay returns how long (seconds) brand b takes to answer a post at clock: a heavy-tailed delay of
// minutes to hours; outside the team's hours (07:00-23:00 local) a short-staffed night shift answers some
// posts slowly and the rest wait for the morning.
func (g *Generator) replyDelay(b int, clock float64) float64 {
	delay := math.Max(90, g.rng.lognormal(math.Log(35*60), 1.0))
	due := g.timeAt(clock + delay).Add(time.Duration(brandUTCOffset[b]) * time.Hour)
	h := due.Hour()
	if h >= 7 && h < 23 {
		return delay
	}
	if g.rng.chance(0.4) {
		return delay * 2.5 // the night shift
	}
	// The morning queue: answered after opening.
	wait := (7 - h + 24) % 24
	morning := due.Truncate(time.Hour).Add(time.Duration(wait) * time.Hour)
	return delay + morning.Sub(due).Seconds() + g.rng.lognormal(math.Log(45*60), 0.8)
}

// emit renders a scheduled record at its time.
func (g *Generator) emit(s scheduled) Record {
	now := g.timeAt(s.at)
	hp := s.hp
	ni := int(s.ni)
	st := &g.stats[ni]
	switch s.kind {
	case schedReply:
		d := &g.d
		*d = draft{ni: ni, net: networks[ni], now: now, kind: kReply, segs: d.segs[:0], parent: hp}
		d.vir = g.rng.lognormal(0, 1.2)
		d.author = g.supportAccount(ni, int(hp.brand))
		d.brand, d.product, d.lang, d.in = int(hp.brand), int(hp.product), hp.lang, iSupport
		c := g.ctx(d)
		c.name = hp.author.first
		g.write(d, g.pickTmpl(&compiledText, d.lang, iSupport, d.brand, 2), c)
		g.linkParent(d, true)
		rec, nhp := g.encode(d)
		g.remember(ni, nhp)
		st.Unique++
		st.BrandReplies++
		g.replyDelays = append(g.replyDelays, now.Sub(hp.created))
		if len(g.replyDelays) > maxDelaySamples {
			g.replyDelays = g.replyDelays[len(g.replyDelays)-maxDelaySamples:]
		}
		return rec
	case schedEdit:
		d := s.d
		d.now = now
		d.edit = hp
		d.segs = append(d.segs, seg{kind: sText, s: editNote(g.rng, ni, d.lang)})
		rec, _ := g.encode(d)
		rec.Edit = true
		rec.Truth.Text = plainText(d.segs)
		st.Edits++
		return rec
	default:
		st.Deletes++
		return g.deleteNotice(ni, hp, now)
	}
}

// maxDelaySamples bounds the brand reply delays kept for ReplyDelays.
const maxDelaySamples = 1 << 16

// ReplyDelays returns the event-time delays of the brands' answers generated so far (the latest 65536), in
// the order they were emitted.
func (g *Generator) ReplyDelays() []time.Duration { return slices.Clone(g.replyDelays) }

var editNotes = map[string][]string{
	"en": {"EDIT: typo", "edit: fixed it myself, turns out it was the update", "UPDATE: still not fixed", "edit: support got back to me", "(edited for clarity)"},
	"es": {"EDITO: error de tipeo", "edito: ya lo resolví", "ACTUALIZACIÓN: sigue sin funcionar"},
	"de": {"EDIT: Tippfehler", "edit: hat sich erledigt", "UPDATE: immer noch kaputt"},
	"fr": {"EDIT : faute de frappe", "edit : c'est réglé", "MAJ : toujours en panne"},
	"pt": {"EDIT: erro de digitação", "edit: já resolvi", "ATUALIZAÇÃO: continua sem funcionar"},
}

// editNote is what an edit adds to a post.
func editNote(r rng, ni int, lang string) string {
	notes, ok := editNotes[lang]
	if !ok {
		notes = editNotes["en"]
	}
	sep := " "
	if ni == nReddit || ni == nReview {
		sep = "\n\n"
	}
	return sep + pick(r, notes)
}

// deleteNotice is the record that says hp was deleted at now, in its network's form: an X compliance
// stream delete event, a Mastodon streaming delete event, a Reddit thing whose text reads "[deleted]" (by
// its author) or "[removed]" (by moderators).
func (g *Generator) deleteNotice(ni int, hp *hpost, now time.Time) Record {
	w := &g.j
	w.reset()
	rec := Record{Network: networks[ni], Topic: TopicFor(networks[ni]), PostID: hp.full, Action: post.ActionDelete, Truth: hp.truth}
	switch ni {
	case nX:
		now = now.Truncate(time.Second)
		w.obj()
		w.key("data")
		w.obj()
		w.key("delete")
		w.obj()
		w.key("tweet")
		w.obj()
		w.kstr("id", hp.id)
		w.kstr("author_id", hp.author.id)
		w.endObj()
		w.key("event_at")
		w.timeMillis(now)
		w.endObj()
		w.endObj()
		w.endObj()
	case nMastodon:
		now = now.Truncate(time.Millisecond)
		w.obj()
		w.kstr("event", "delete")
		w.kstr("payload", hp.id)
		w.endObj()
	default:
		now = now.Truncate(time.Second)
		byMods := g.rng.chance(0.4)
		kind := "t1"
		if hp.rkind == '3' {
			kind = "t3"
		}
		w.obj()
		w.kstr("kind", kind)
		w.key("data")
		w.obj()
		w.kstr("subreddit", hp.sub)
		w.kstr("subreddit_id", hp.subID)
		w.kstr("id", hp.id)
		w.kstr("name", hp.full)
		text := "[deleted]"
		if byMods {
			text = "[removed]"
			g.authorFields(w, hp.author, false)
			w.kstr("removed_by_category", "moderator")
		} else {
			g.authorFields(w, hp.author, true)
			w.kstr("removed_by_category", "deleted")
		}
		if kind == "t3" {
			w.kstr("title", hp.text)
			w.kstr("selftext", text)
			w.kstr("permalink", hp.url)
		} else {
			w.kstr("body", text)
			w.kstr("link_id", "t3_"+hp.conv)
			w.kstr("permalink", hp.url)
		}
		createdUTC(w, hp.created)
		w.kbool("edited", false)
		w.kint("score", 1)
		w.endObj()
		w.endObj()
	}
	rec.Key = []byte(hp.full)
	rec.Value = append([]byte(nil), w.b...)
	rec.EventTime = now
	return rec
}
