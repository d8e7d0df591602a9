package identity

import (
	"fmt"
	"slices"
	"strings"
)

// A Role says what a column means for matching; it chooses the normaliser, the comparator and the
// blocking passes the column takes part in.
type Role string

// The roles a column can play.
const (
	GivenName    Role = "given_name"
	Surname      Role = "surname"
	BirthDate    Role = "dob"
	StreetNumber Role = "street_number"
	Address      Role = "address"
	Address2     Role = "address2"
	Postcode     Role = "postcode"
	City         Role = "city"
	State        Role = "state"
	ID           Role = "id_number"
	Phone        Role = "phone"
	Email        Role = "email"
)

// Roles lists every role in the order fields are compared and reported.
var Roles = []Role{GivenName, Surname, BirthDate, StreetNumber, Address, Address2, Postcode, City, State, ID, Phone, Email}

// roleAliases are column names recognised without a mapping (compared after NormalizeColumn).
var roleAliases = map[Role][]string{
	GivenName:    {"given_name", "first_name", "firstname", "given", "forename", "first"},
	Surname:      {"surname", "last_name", "lastname", "family_name", "last"},
	BirthDate:    {"dob", "date_of_birth", "birth_date", "birthdate", "birthday"},
	StreetNumber: {"street_number", "house_number", "street_no"},
	Address:      {"address", "address_1", "address1", "street", "street_address", "address_line_1"},
	Address2:     {"address2", "address_2", "address_line_2"},
	Postcode:     {"postcode", "postal_code", "zip", "zipcode", "zip_code", "post_code"},
	City:         {"city", "suburb", "town", "locality"},
	State:        {"state", "region", "province", "county"},
	ID:           {"id_number", "soc_sec_id", "ssn", "national_id", "tax_id", "customer_number"},
	Phone:        {"phone", "phone_number", "telephone", "mobile", "tel"},
	Email:        {"email", "e_mail", "email_address", "mail"},
}

// NormalizeColumn lower-cases a column name and turns spaces and dashes into underscores.
func NormalizeColumn(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}

// ParseRole returns the role named s (a role name or one of its column aliases).
func ParseRole(s string) (Role, error) {
	s = NormalizeColumn(s)
	for _, r := range Roles {
		if string(r) == s || slices.Contains(roleAliases[r], s) {
			return r, nil
		}
	}
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return "", fmt.Errorf("unknown role %q (roles: %s)", s, strings.Join(names, ", "))
}

// Normalize returns v cleaned the way role r compares it.
func (r Role) Normalize(v string) string {
	switch r {
	case BirthDate:
		return NormalizeDate(v)
	case StreetNumber, Postcode, ID:
		return NormalizeDigits(v)
	case Phone:
		return NormalizePhone(v)
	case Email:
		return NormalizeEmail(v)
	}
	return NormalizeText(v)
}

// nameLevels grades names and other free text by Jaro–Winkler similarity.
var nameLevels = JaroWinklerLevels{Thresholds: []float64{0.92, 0.8}}

// Comparator returns the comparator role r uses.
func (r Role) Comparator() Comparator {
	switch r {
	case BirthDate:
		return Date{}
	case StreetNumber, Postcode, ID, Phone:
		return Digits{}
	case State:
		return Exact{}
	}
	return nameLevels
}

// A Field is one compared attribute: its role and the comparator that grades it.
type Field struct {
	Role       Role
	Comparator Comparator
}

// Name is the field's name in evidence and model output: its role.
func (f Field) Name() string { return string(f.Role) }

// A Record is one input row: its identifier, which input it came from (0 for the left file, 1 for the
// right), and its normalised values, one per field of the Dataset.
type Record struct {
	ID     string
	Source int
	Values []string
	// Raw holds the values as read, one per field, for evidence.
	Raw []string
}

// A Dataset is what the linker works on: the fields and the records of one or two inputs. When Link is
// true, only pairs with one record from each source are candidates (two-file linkage); otherwise every
// pair within the records is (deduplication).
type Dataset struct {
	Fields  []Field
	Records []Record
	Link    bool
}

// NewFields returns the fields for the given roles, in the order of Roles.
func NewFields(roles []Role) []Field {
	var fs []Field
	for _, r := range Roles {
		if slices.Contains(roles, r) {
			fs = append(fs, Field{Role: r, Comparator: r.Comparator()})
		}
	}
	return fs
}

// fieldIndex returns the index of the field with role r, or -1.
func (d *Dataset) fieldIndex(r Role) int {
	for i, f := range d.Fields {
		if f.Role == r {
			return i
		}
	}
	return -1
}
