package ingest

import (
	"errors"
	"fmt"

	"github.com/go-json-experiment/json"
)

// Reason is a machine-readable cause for rejecting a raw payload. It travels with the dead letter in the
// "rapport-reason" header and is a label of the dead-letter metric, so the set is small and fixed.
type Reason string

// Reject reasons.
const (
	ReasonInvalidJSON    Reason = "invalid_json"    // not parseable as JSON
	ReasonInvalidUTF8    Reason = "invalid_utf8"    // payload bytes are not valid UTF-8
	ReasonWrongType      Reason = "wrong_type"      // a field has the wrong JSON type
	ReasonMissingField   Reason = "missing_field"   // a required field is absent or empty
	ReasonInvalidValue   Reason = "invalid_value"   // a field is present but its value is unusable (e.g. a bad time)
	ReasonOversized      Reason = "oversized"       // payload larger than the configured limit
	ReasonUnknownNetwork Reason = "unknown_network" // no normalizer is configured for the record's topic
	ReasonUnsupported    Reason = "unsupported"     // valid JSON of a shape this normalizer does not handle
)

// Reasons lists every reason, for metrics initialisation and documentation.
var Reasons = []Reason{
	ReasonInvalidJSON, ReasonInvalidUTF8, ReasonWrongType, ReasonMissingField, ReasonInvalidValue,
	ReasonOversized, ReasonUnknownNetwork, ReasonUnsupported,
}

// RejectError says why a raw payload cannot become a canonical post.
type RejectError struct {
	Reason Reason
	Detail string // human-readable detail, e.g. the offending field
}

func (e *RejectError) Error() string {
	if e.Detail == "" {
		return string(e.Reason)
	}
	return string(e.Reason) + ": " + e.Detail
}

func reject(r Reason, format string, args ...any) error {
	return &RejectError{Reason: r, Detail: fmt.Sprintf(format, args...)}
}

// AsReject returns the RejectError in err's chain, or a RejectError with ReasonUnsupported carrying err's
// text when err is some other error, so that every failure has a reason.
func AsReject(err error) *RejectError {
	var re *RejectError
	if errors.As(err, &re) {
		return re
	}
	return &RejectError{Reason: ReasonUnsupported, Detail: err.Error()}
}

// jsonReject classifies a JSON decoding error: a value of the wrong type is wrong_type, anything else
// (syntax, trailing data, duplicate names) invalid_json.
func jsonReject(err error) error {
	var semErr *json.SemanticError
	if errors.As(err, &semErr) && semErr.JSONKind != 0 && semErr.GoType != nil {
		field := string(semErr.JSONPointer)
		if field == "" {
			field = "(top level)"
		}
		return reject(ReasonWrongType, "field %s: got JSON %s, want %s", field, semErr.JSONKind, semErr.GoType)
	}
	return reject(ReasonInvalidJSON, "%v", err)
}
