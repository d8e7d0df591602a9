package sim

import (
	"io"
	"strconv"
)

// WriteTruth writes the ground truth of rec as one JSON line:
//
//	{"network":"x","post_id":"...","event_time":"...","action":"upsert","edit":false,"duplicate":false,
//	 "malformed":false,"fault":"","kind":"reply","intent":"complaint","brand":"Acme","product":"Acme Pulse 3",
//	 "sentiment":-1,"language":"en","person":123,"brand_account":false,"incident":"","campaign":"","bot":0,"text":""}
//
// text is set for edits only (the body after the edit); campaign names the spam campaign of a campaign post and bot the bot that wrote it. A delete notice carries the truth of the post it
// deletes.
func WriteTruth(w io.Writer, rec Record) error {
	var j jw
	j.b = make([]byte, 0, 384)
	j.reset()
	j.obj()
	j.kstr("network", string(rec.Network))
	j.kstr("post_id", rec.PostID)
	j.key("event_time")
	j.timeMillis(rec.EventTime)
	j.kstr("action", rec.Action.String())
	j.kbool("edit", rec.Edit)
	j.kbool("duplicate", rec.Duplicate)
	j.kbool("malformed", rec.Malformed)
	j.kstr("fault", rec.Fault)
	t := &rec.Truth
	j.kstr("kind", t.Kind)
	j.kstr("intent", t.Intent)
	j.kstr("brand", t.Brand)
	j.kstr("product", t.Product)
	j.kint("sentiment", int64(t.Sentiment))
	j.kstr("language", t.Lang)
	j.kint("person", int64(t.Person))
	j.kbool("brand_account", t.BrandAccount)
	j.kstr("incident", t.Incident)
	j.kstr("campaign", t.Campaign)
	j.kint("bot", int64(t.Bot))
	j.kstr("text", t.Text)
	j.endObj()
	j.b = append(j.b, '\n')
	_, err := w.Write(j.b)
	return err
}

// String formats the incident for logs: id, brand, window.
func (in Incident) String() string {
	return in.ID + " (" + in.Brand + ", " + in.Start.Format("2006-01-02 15:04") + " +" + in.Duration.String() +
		", x" + strconv.FormatFloat(in.Factor, 'g', 3, 64) + ")"
}
