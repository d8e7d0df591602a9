package identity

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/rapport-dev/rapport/identity/pii"
)

// CustomerRecord is a CRM customer as the CRM sends it, personal data in clear. It is the JSON value of a
// record of the compacted topic crm.customers, whose key is the customer id (a record with a null value
// deletes the customer):
//
//	{"id": "C1042", "name": "Jane Doe", "emails": ["jane.doe@example.com"], "phones": ["+44 20 7946 0958"],
//	 "city": "London", "region": "England", "country": "GB", "handles": ["x:janedoe", "reddit:jdoe"],
//	 "websites": ["janedoe.dev"], "consent": true, "segment": "gold", "lifetime_value": 1250.5}
//
// Every field but id may be absent; id, when present, must equal the record key. handles are
// network:handle pairs the customer confirmed (network as in post.Network). consent is the customer's
// agreement to be linked to social profiles: absent means no. NewCustomer turns a record into the stored
// Customer, hashing e-mails and phones; the clear values go no further.
type CustomerRecord struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Emails        []string `json:"emails"`
	Phones        []string `json:"phones"`
	City          string   `json:"city"`
	Region        string   `json:"region"`
	Country       string   `json:"country"`
	Handles       []string `json:"handles"`
	Websites      []string `json:"websites"`
	Consent       bool     `json:"consent"`
	Segment       string   `json:"segment"`
	LifetimeValue float64  `json:"lifetime_value"`
}

// FieldError is a problem with one field of a customer record.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// DecodeCustomerRecord decodes a crm.customers record value strictly (unknown fields are errors).
func DecodeCustomerRecord(key string, value []byte) (CustomerRecord, error) {
	var r CustomerRecord
	dec := json.NewDecoder(strings.NewReader(string(value)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("decoding customer %q: %w", key, err)
	}
	if r.ID == "" {
		r.ID = key
	}
	if r.ID != key {
		return r, &FieldError{"id", fmt.Sprintf("%q differs from the record key %q", r.ID, key)}
	}
	return r, nil
}

// NewCustomer validates r and returns the customer to store, with e-mails and phones as keyed hashes and
// the local parts of the e-mails as hashed name keys. An e-mail or phone that cannot be read, a handle
// not written network:handle, or a bad lifetime value is an error naming the field.
func NewCustomer(h *pii.Hasher, r CustomerRecord, version uint64, at time.Time) (Customer, error) {
	c := Customer{
		ID: strings.TrimSpace(r.ID), Name: strings.TrimSpace(r.Name),
		City: strings.TrimSpace(r.City), Region: strings.TrimSpace(r.Region), Country: strings.TrimSpace(r.Country),
		Consent: r.Consent, Segment: strings.TrimSpace(r.Segment), LifetimeValue: r.LifetimeValue,
		Version: version, UpdatedAt: at.UTC().Truncate(time.Second),
	}
	if c.ID == "" {
		return c, &FieldError{"id", "missing"}
	}
	for i, e := range r.Emails {
		if strings.TrimSpace(e) == "" {
			continue
		}
		v := h.Email(e)
		if v == "" {
			return c, &FieldError{fmt.Sprintf("emails[%d]", i), "not an e-mail address"}
		}
		c.EmailHMACs = appendNew(c.EmailHMACs, v)
		full, letters := h.LocalKeys(e)
		c.LocalHMACs = appendNew(appendNew(c.LocalHMACs, full), letters)
	}
	for i, p := range r.Phones {
		if strings.TrimSpace(p) == "" {
			continue
		}
		v := h.Phone(p)
		if v == "" {
			return c, &FieldError{fmt.Sprintf("phones[%d]", i), "not a phone number (7 to 15 digits)"}
		}
		c.PhoneHMACs = appendNew(c.PhoneHMACs, v)
	}
	for i, hd := range r.Handles {
		if strings.TrimSpace(hd) == "" {
			continue
		}
		network, handle, ok := strings.Cut(hd, ":")
		if !ok || strings.TrimSpace(network) == "" || strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(handle), "@")) == "" {
			return c, &FieldError{fmt.Sprintf("handles[%d]", i), fmt.Sprintf("%q is not network:handle", hd)}
		}
		c.Handles = appendNew(c.Handles, HandleKey(network, handle))
	}
	for i, w := range r.Websites {
		if strings.TrimSpace(w) == "" {
			continue
		}
		n := NormalizeURL(w)
		if n == "" {
			return c, &FieldError{fmt.Sprintf("websites[%d]", i), fmt.Sprintf("%q is not a web address", w)}
		}
		c.Websites = appendNew(c.Websites, n)
	}
	if math.IsNaN(c.LifetimeValue) || math.IsInf(c.LifetimeValue, 0) {
		return c, &FieldError{"lifetime_value", "not a finite number"}
	}
	return c, nil
}

func appendNew(list []string, v string) []string {
	if v == "" {
		return list
	}
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
